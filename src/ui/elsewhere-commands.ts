// The commands "Upload from elsewhere" shows, made for a token. The curl line is one line with double
// quotes only, so it runs as it is in a macOS or Linux shell, Windows' cmd and PowerShell (as curl.exe);
// it creates an upload by the IETF draft (whole body, Upload-Complete: ?1), which needs no file size
// up front: the old one asked for `stat -c %s`, which only Linux has.
import { Route } from '../../common/protocol.js';

/** The file name the commands use as an example. */
export const EXAMPLE_FILE = 'report.pdf';

export function curlCommand(origin: string, token: string): string {
  // `-T` uploads the file as it is read (no copy in memory); the URL names a path, so curl adds no file name to it.
  return [
    `curl -T "${EXAMPLE_FILE}"`,
    `-H "Authorization: Bearer ${token}"`,
    '-H "Upload-Draft-Interop-Version: 6" -H "Upload-Complete: ?1"',
    `-H "Content-Disposition: attachment; filename=${EXAMPLE_FILE}"`,
    `${origin}${Route.uploads.slice(0, -1)}`,
  ].join(' ');
}

export function tusSnippet(origin: string, token: string): string {
  return `new tus.Upload(file, {\n  endpoint: '${origin}${Route.uploads}',\n  headers: { Authorization: 'Bearer ${token}' },\n  metadata: { filename: file.name, filetype: file.type },\n}).start();`;
}
