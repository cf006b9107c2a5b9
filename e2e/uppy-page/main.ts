// Another site's page that uploads to Ferry with Uppy's tus plugin and a bearer token, as a
// web team's app would (e2e/uppy.spec.ts builds it with Vite and serves it on its own origin).
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';

const params = new URLSearchParams(location.search);
const uppy = new Uppy({ autoProceed: false }).use(Tus, {
  endpoint: params.get('endpoint')!,
  headers: { authorization: `Bearer ${params.get('token')}` },
  retryDelays: [0, 200, 500, 1000, 1000, 2000, 2000, 3000, 3000],
  chunkSize: 2 * 1024 * 1024,
});

const state = window as unknown as { uppyDone?: string; uppyError?: string };
uppy.on('upload-success', (_file, response) => (state.uppyDone = response.uploadURL ?? 'done'));
uppy.on('upload-error', (_file, error) => (state.uppyError = String(error)));

document.querySelector<HTMLInputElement>('#picker')!.addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files![0]!;
  uppy.addFile({ name: file.name, type: file.type, data: file });
  void uppy.upload();
});
