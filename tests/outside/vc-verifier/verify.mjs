// Verify one credential with Digital Bazaar's VC stack, offline, and print a JSON verdict.
//
// Usage: node verify.mjs BUNDLE.json
//
// BUNDLE holds:
//   credential  the credential to check, as the issuer published it
//   contexts    {context URL: path of our pinned copy}: the only contexts the loader serves
//   documents   {URL: JSON document}: the issuer profile, the status lists (what the issuer publishes)
//   now         optional ISO date to verify at
//
// The document loader never reaches the network: any URL not in the bundle (or in the security
// context package, for the controller-document frame) fails to load.
//
// Verdict: {"verified": bool, "revoked": bool|null, "statusChecked": bool, "errors": [messages],
//           "signatureVerified": bool}
import {readFileSync} from 'node:fs';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import securityContext from '@digitalbazaar/security-context';
import * as vc from '@digitalbazaar/vc';

function loaderFor(bundle) {
  const contexts = new Map();
  for(const [url, file] of Object.entries(bundle.contexts || {})) {
    contexts.set(url, JSON.parse(readFileSync(file, 'utf8')));
  }
  const documents = new Map(Object.entries(bundle.documents || {}));
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
    }
    if(securityContext.contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(securityContext.contexts.get(url))};
    }
    const [base, fragment] = url.split('#');
    if(documents.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
    }
    if(fragment !== undefined && documents.has(base)) {
      // A verification method: the node of that id in its controller document.
      const controller = documents.get(base);
      const method = (controller.verificationMethod || []).find(m => m.id === url);
      if(method) {
        return {
          contextUrl: null, documentUrl: url,
          document: {'@context': 'https://w3id.org/security/multikey/v1', ...structuredClone(method)}
        };
      }
    }
    throw new Error(`offline loader: ${url} is not in the bundle`);
  };
}

function messages(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : [error];
  return list.flatMap(e => {
    const own = e && e.message ? [e.message] : [String(e)];
    const inner = e && e.errors ? messages(e.errors) : [];
    const cause = e && e.cause ? messages(e.cause) : [];
    return [...own, ...inner, ...cause];
  });
}

async function main() {
  const bundle = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const documentLoader = loaderFor(bundle);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const options = {credential: bundle.credential, suite, documentLoader, checkStatus};
  if(bundle.now) {
    options.now = new Date(bundle.now);
  }
  let result;
  try {
    result = await vc.verifyCredential(options);
  } catch(e) {
    result = {verified: false, error: e};
  }
  const statusResults = result.statusResult && result.statusResult.results || [];
  const statusChecked = statusResults.length > 0 && result.statusResult.verified === true;
  const revoked = statusChecked ? statusResults.some(r => r.status === true) : null;
  const errors = messages(result.error);
  for(const proof of result.results || []) {
    errors.push(...messages(proof.error));
  }
  if(result.statusResult && !result.statusResult.verified) {
    errors.push(...messages(result.statusResult.error));
  }
  const verdict = {
    verified: result.verified === true && revoked === false,
    signatureVerified: (result.results || []).length > 0 && result.results.every(r => r.verified),
    revoked,
    statusChecked,
    errors: [...new Set(errors)],
  };
  process.stdout.write(JSON.stringify(verdict) + '\n');
}

main().catch(e => {
  process.stdout.write(JSON.stringify({verified: false, crashed: true, errors: messages(e)}) + '\n');
  process.exitCode = 2;
});
