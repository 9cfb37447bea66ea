"""
Benchmark peer: the same work as bench/pki.bench.ts, done with pyca/cryptography (Rust ASN.1 and
OpenSSL signatures), so `npm run bench` can report ratios measured in the same sitting.

  python3 bench/pyca_peer.py issue <seconds>      -> {"certs_per_s": ...}
  python3 bench/pyca_peer.py crl <entries> <runs> -> {"median_ms": ..., "entries": ...}

Prints one JSON line. Key generation and the revocation rows are made outside the timed part;
building the entries, the CRL, signing and DER output are inside (as in buildCrl). CPython does
not compile at run time, so the CRL builds have no warm-up run.
"""

import datetime
import json
import os
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

KEYS = 256


def issuer():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Issuing CA")])
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    return key, name, aki


def random_serial():
    # 20 octets with the first in 0x40-0x7f, as pki/serial.ts makes them.
    raw = bytearray(os.urandom(20))
    raw[0] = (raw[0] & 0x3F) | 0x40
    return int.from_bytes(raw, "big")


def issue(seconds):
    key, issuer_name, aki = issuer()
    publics = [ec.generate_private_key(ec.SECP256R1()).public_key() for _ in range(KEYS)]
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "CloudFront"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Serverless Inc"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "CloudFront"),
    ])
    basic = x509.BasicConstraints(ca=False, path_length=None)
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])

    def one(i):
        now = datetime.datetime.now(datetime.timezone.utc)
        public = publics[i % KEYS]
        certificate = (
            x509.CertificateBuilder()
            .serial_number(random_serial())
            .issuer_name(issuer_name)
            .subject_name(subject)
            .public_key(public)
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=90))
            .add_extension(basic, critical=True)
            .add_extension(usage, critical=True)
            .add_extension(eku, critical=False)
            .add_extension(aki, critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256())
        )
        return certificate.public_bytes(Encoding.DER)

    warm_until = time.perf_counter() + min(0.3, seconds / 4)
    i = 0
    while time.perf_counter() < warm_until:
        one(i)
        i += 1
    count = 0
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        for _ in range(16):
            one(i)
            i += 1
        count += 16
    return {"certs_per_s": count / (time.perf_counter() - start)}


def crl(entries, runs):
    key, issuer_name, aki = issuer()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    rows = [
        (random_serial(), now - datetime.timedelta(seconds=25 * i), None if i % 4 == 0 else x509.ReasonFlags.key_compromise)
        for i in range(entries)
    ]

    def build():
        revoked = []
        for serial, revoked_at, reason in rows:
            entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
            if reason is not None:
                entry = entry.add_extension(x509.CRLReason(reason), critical=False)
            revoked.append(entry.build())
        # The list goes to the constructor: add_revoked_certificate copies it each time (quadratic).
        builder = x509.CertificateRevocationListBuilder(
            issuer_name=issuer_name,
            last_update=now,
            next_update=now + datetime.timedelta(hours=1),
            extensions=[],
            revoked_certificates=revoked,
        )
        builder = builder.add_extension(aki, critical=False).add_extension(x509.CRLNumber(1), critical=False)
        return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": times[len(times) // 2], "entries": entries}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "issue":
        result = issue(float(sys.argv[2]))
    elif mode == "crl":
        result = crl(int(sys.argv[2]), int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}; use issue or crl")
    result["cryptography"] = __import__("cryptography").__version__
    print(json.dumps(result))
