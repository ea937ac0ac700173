// The metrics server's certificate (--metrics-secure): the one mounted in --metrics-cert-dir, else a self-signed one.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from './self-signed.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** --metrics-cert-dir's tls.crt and tls.key, or a self-signed certificate for this pod. */
export function servingCert(dir: string): { cert: string; key: string } {
  if (dir) {
    return { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  }
  return selfSignedCert('challenge-operator-metrics', [hostname(), 'localhost', '127.0.0.1', '::1']);
}
