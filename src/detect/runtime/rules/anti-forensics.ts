import { defineRuntimeRule } from '../rule.js';
import { containerDetails, where } from '../describe.js';
import { APP, WEB, open, syscall } from './examples.js';

const HISTORY = /(?:^|\/)\.(?:bash|ash|zsh|sh|python)_history$/;
const LOG = /^\/(?:host\/)?var\/log\//;

export default defineRuntimeRule({
  meta: {
    id: 'KM-RT-014',
    title: 'Shell history or logs cleared in a container',
    severity: 'medium',
    description: 'A process in a container truncated or deleted shell history or files under /var/log. Intruders wipe their tracks this way; applications rotate their logs by renaming, not by emptying them from a shell.',
    response: 'Treat it as a sign that someone worked in the container: look for the alerts before it, capture the container, and ship logs off the node as they are written.',
    mitre: ['T1070.003', 'T1070.002'],
    references: ['https://attack.mitre.org/techniques/T1070/003/', 'https://attack.mitre.org/techniques/T1070/002/'],
    repeatWindowSec: 300,
  },
  on: ['open', 'syscall'],
  create: () => (e) => {
    if (!e.container) return undefined;
    if (e.kind === 'open') {
      if (!e.truncate || (e.place !== 'shell-history' && e.place !== 'log')) return undefined;
      return { message: `${e.comm} in ${where(e.container)} emptied ${e.path}`, details: { ...containerDetails(e.container), file: e.path } };
    }
    if (e.kind !== 'syscall' || e.call !== 'unlink' || !(HISTORY.test(e.detail) || LOG.test(e.detail))) return undefined;
    return { message: `${e.comm} in ${where(e.container)} deleted ${e.detail}`, details: { ...containerDetails(e.container), file: e.detail } };
  },
  examples: {
    trigger: [open(APP, 'shell-history', '.ash_history', { write: true, truncate: true }), syscall(WEB, 'unlink', '/var/log/nginx/access.log', { comm: 'rm' }), syscall(APP, 'unlink', '/root/.ash_history', { comm: 'rm' })],
    ignore: [open(APP, 'log', 'app.log', { write: true, truncate: false }), syscall(WEB, 'unlink', '/tmp/nginx.pid', { comm: 'nginx' })],
  },
});
