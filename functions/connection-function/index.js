// edge-mtls viewer revocation: a CloudFront Connection Function (runtime cloudfront-js-2.0).
// CloudFront has already verified the viewer's certificate against the trust store; this function
// denies certificates whose serial is in the associated KeyValueStore (kept in sync with the CA's
// CRL by the revocation-sync Lambda). Keys are serials in lower-case hex without colons or
// leading zeros. No serial, or a store that cannot be read, means deny: fail closed.
import cf from 'cloudfront';

function normaliseSerial(serial) {
  if (typeof serial !== 'string') return null;
  var hex = serial.replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  hex = hex.replace(/^0+(?=.)/, '');
  return hex;
}

function leafSerial(connection) {
  var certificate = connection.clientCertificate;
  if (certificate && certificate.certificates && certificate.certificates.leaf && certificate.certificates.leaf.serialNumber) {
    return certificate.certificates.leaf.serialNumber;
  }
  // The shape used in AWS's revocation tutorial.
  if (connection.clientCertInfo && connection.clientCertInfo.serialNumber) return connection.clientCertInfo.serialNumber;
  return null;
}

async function connectionHandler(connection) {
  var serial = normaliseSerial(leafSerial(connection));
  if (!serial) {
    console.log('deny: no readable client certificate serial');
    return connection.deny();
  }
  try {
    if (await cf.kvs().exists(serial)) {
      console.log('deny: revoked ' + serial);
      return connection.deny();
    }
  } catch (e) {
    console.log('deny: revocation store unavailable');
    return connection.deny();
  }
  return connection.allow();
}
