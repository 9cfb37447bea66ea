// edge-mtls viewer revocation: a CloudFront Connection Function (runtime cloudfront-js-2.0).
// CloudFront has already verified the viewer's certificate against the trust store; this function
// denies certificates whose serial is in the associated KeyValueStore (kept in sync with the CA's
// CRL by the revocation-sync Lambda). Keys are serials in lower-case hex without colons or
// leading zeros. The serial must arrive as CloudFront documents it: hex byte pairs separated by
// colons (e.g. 00:a1:b2:c3); anything else (a decimal string, bare digits) is refused rather than
// guessed at. Only an explicit `false` from the store allows: no serial, an unreadable store, or
// any other answer means deny (fail closed).
import cf from 'cloudfront';

var SERIAL = /^[0-9a-f]{2}(:[0-9a-f]{2}){0,20}$/;

function storeKey(serial) {
  if (typeof serial !== 'string') return null;
  var text = serial.toLowerCase();
  if (!SERIAL.test(text)) return null;
  return text.replace(/:/g, '').replace(/^0+(?=.)/, '');
}

function leafSerial(connection) {
  var certificate = connection.clientCertificate;
  if (certificate && certificate.certificates && certificate.certificates.leaf) return certificate.certificates.leaf.serialNumber;
  // The shape used in AWS's revocation tutorial.
  if (connection.clientCertInfo) return connection.clientCertInfo.serialNumber;
  return null;
}

async function connectionHandler(connection) {
  var key = storeKey(leafSerial(connection));
  if (!key) {
    console.log('deny: no client certificate serial in the documented form');
    return connection.deny();
  }
  var revoked;
  try {
    revoked = await cf.kvs().exists(key);
  } catch (e) {
    console.log('deny: revocation store unavailable');
    return connection.deny();
  }
  if (revoked === false) return connection.allow();
  console.log(revoked === true ? 'deny: revoked ' + key : 'deny: revocation store gave no answer');
  return connection.deny();
}
