import { defineRuntimeRule } from '../rule.js';
import { commandLine, containerDetails, where } from '../describe.js';
import { DROP_DIRS } from '../programs.js';
import { APP, WEB, child, entrypoint } from './examples.js';

// Drift: what runs in a container should have come with its image. A binary in the writable layer
// was written after the container started; one with no name on disk (memfd, deleted) never
// touched it at all.
export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-009',
    title: 'Program that is not part of the image executed',
    severity: 'high',
    description: 'A container executed a program that did not come with its image: a file written into the container after it started (its writable layer, /tmp, /dev/shm), or a program with no file at all (memfd, deleted after start). Droppers and miners arrive this way; images do not change at run time.',
    response: 'Capture the file (from the container\'s writable layer) and the process, then kill the pod. Run containers with readOnlyRootFilesystem and noexec temporary volumes so that a dropped file cannot run.',
    mitre: ['T1105', 'T1620'],
    references: ['https://attack.mitre.org/techniques/T1105/', 'https://attack.mitre.org/techniques/T1620/'],
    repeatWindowSec: 300,
  },
  on: ['exec', 'process'],
  create: () => (e) => {
    if ((e.kind !== 'exec' && e.kind !== 'process') || !e.container) return undefined;
    const why = e.fileless ? 'a program with no file on disk (memfd or deleted)' : e.upperLayer ? `${e.binary}, written into the container after it started` : DROP_DIRS.some((d) => e.binary.startsWith(d)) ? `${e.binary}, from a writable temporary directory` : undefined;
    if (why === undefined) return undefined;
    return { message: `${why} ran in ${where(e.container)}: \`${commandLine(e.argv)}\``, severity: e.fileless ? 'critical' : undefined, details: { ...containerDetails(e.container), binary: e.binary } };
  },
  examples: {
    trigger: [child(APP, ['/tmp/x'], { binary: '/tmp/x' }), child(WEB, ['kworker'], { binary: '/memfd:kworker', fileless: true }), child(APP, ['/usr/local/bin/helper'], { binary: '/usr/local/bin/helper', upperLayer: true })],
    ignore: [entrypoint(WEB, ['nginx', '-g', 'daemon off;'], { binary: '/usr/sbin/nginx', upperLayer: false }), child(APP, ['date'], { upperLayer: false })],
  },
});
