// The certificate made at start for --metrics-secure: valid DER whatever the random serial and key, for the names
// it is made for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { selfSignedCert } from '../../src/server/self-signed.ts';

test('every certificate parses, whatever its random serial (a leading zero byte is not DER)', () => {
  // A padded serial came in 1 of 256 draws; 2,000 draws meet one with near certainty.
  for (let i = 0; i < 2000; i++) {
    const { cert } = selfSignedCert('op', ['127.0.0.1']);
    const x = new X509Certificate(cert);
    assert.match(x.serialNumber, /^[4-7][0-9A-F]{31}$/);
  }
});

test('the certificate names its hosts, is signed by its own key and valid from a minute ago for a year', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const { cert, key } = selfSignedCert('challenge-operator', ['op.ns.svc', '10.0.0.7', '::1'], now);
  const x = new X509Certificate(cert);
  assert.equal(x.subject, 'CN=challenge-operator');
  assert.equal(x.subjectAltName, 'DNS:op.ns.svc, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1');
  assert.ok(x.checkPrivateKey(createPrivateKey(key)));
  assert.ok(x.verify(x.publicKey));
  assert.equal(new Date(x.validFrom).getTime(), now.getTime() - 60_000);
  assert.equal(new Date(x.validTo).getTime(), now.getTime() + 365 * 24 * 3600 * 1000);
});
