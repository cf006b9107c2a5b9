// `npm test` runs the S3 and cluster tests on real daemons. On a Debian machine run as root,
// this installs the ones missing (about 15 s, ../shared/CEPH.md); elsewhere it says what to install.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const NEEDED: Record<string, string> = {
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  ceph: 'ceph-common',
  'redis-server': 'redis-server',
  nginx: 'nginx',
};

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').concat('/usr/sbin').some((dir) => {
    try {
      accessSync(`${dir}/${command}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missing = [...new Set(Object.entries(NEEDED).filter(([command]) => !onPath(command)).map(([, pkg]) => pkg))];
if (missing.length > 0) {
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(`The S3 and cluster tests need Debian's ${missing.join(', ')}: apt-get install -y --no-install-recommends ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing Debian's ${missing.join(', ')} for the S3 and cluster tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}
