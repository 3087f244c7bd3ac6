#!/usr/bin/env node
// Encrypts a code as a Custom Email Sender event carries it (base64 of an
// AWS Encryption SDK message under a KMS key), for tests and the local stack,
// with @aws-crypto/client-node, which cognito-local brings along.
//
//   node infra/local/encrypt-code.js [--shape cognito|cognito-local] [--pool POOL]
//        [--key KEY_ARN] [--alias ALIAS_ARN] [--endpoint URL] [--region REGION] CODE...
//
// Two shapes:
//   cognito        what real Cognito sends: message format 1, suite
//                  ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 (no key
//                  commitment, so FORBID_ENCRYPT_ALLOW_DECRYPT), one data key,
//                  context {"userpool-id": POOL} (--pool is required)
//   cognito-local  what cognito-local 5.3.0 sends (the default): its default
//                  suite (format 2, key commitment), the alias as generator
//                  (--alias, else the key) and the key again: two data keys,
//                  no context besides the signature's public key
//
// Defaults come from the environment: COGMAIL_KMS_KEY_ARN (--key),
// COGMAIL_KMS_KEY_ALIAS (--alias), AWS_ENDPOINT_URL_KMS or AWS_ENDPOINT_URL
// (--endpoint), AWS_REGION (--region, else the key's region). With an
// endpoint and no AWS_ACCESS_KEY_ID, moto's dummy credentials are used. The
// code may come on stdin instead ("-" or no argument). Prints the base64 of
// each code on a line of its own (one Node.js start for many codes: tests).
"use strict";

const { buildClient, CommitmentPolicy, AlgorithmSuiteIdentifier, KmsKeyringNode } = require("@aws-crypto/client-node");
const { KMS } = require("aws-sdk");
try {
  // cognito-local's SDK v2 prints its end-of-support notice on stderr.
  require("aws-sdk/lib/maintenance_mode_message").suppress = true;
} catch (_) {
  // an SDK without the notice
}

function usage(message) {
  if (message) console.error("encrypt-code.js: " + message);
  console.error(
    "usage: node encrypt-code.js [--shape cognito|cognito-local] [--pool POOL] [--key KEY_ARN] [--alias ALIAS_ARN] [--endpoint URL] [--region REGION] CODE...",
  );
  process.exit(2);
}

function parse(argv) {
  const opts = {
    shape: "cognito-local",
    key: process.env.COGMAIL_KMS_KEY_ARN || "",
    alias: process.env.COGMAIL_KMS_KEY_ALIAS || "",
    endpoint: process.env.AWS_ENDPOINT_URL_KMS || process.env.AWS_ENDPOINT_URL || "",
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "",
    pool: "",
    codes: [],
  };
  const flags = { "--shape": "shape", "--pool": "pool", "--key": "key", "--alias": "alias", "--endpoint": "endpoint", "--region": "region" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") usage();
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (flags[name]) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) usage(name + " needs a value");
      opts[flags[name]] = value;
    } else if (a.startsWith("--")) {
      usage("unknown flag " + a);
    } else {
      opts.codes.push(a);
    }
  }
  return opts;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

async function main() {
  const opts = parse(process.argv.slice(2));
  if (opts.shape !== "cognito" && opts.shape !== "cognito-local") usage("--shape is cognito or cognito-local");
  if (!/^arn:aws[a-z-]*:kms:[^:]+:\d+:key\/.+$/.test(opts.key)) usage("--key (or COGMAIL_KMS_KEY_ARN) must be a KMS key's ARN");
  if (opts.shape === "cognito" && !opts.pool) usage("--pool is required for the cognito shape");
  const region = opts.region || opts.key.split(":")[3];
  const codes = opts.codes.length === 0 || (opts.codes.length === 1 && opts.codes[0] === "-") ? [await readStdin()] : opts.codes;
  if (codes.includes("")) usage("no code");

  const clientConfig = { region };
  if (opts.endpoint) {
    clientConfig.endpoint = opts.endpoint;
    if (!process.env.AWS_ACCESS_KEY_ID) clientConfig.credentials = { accessKeyId: "test", secretAccessKey: "test" };
  }
  const clientProvider = () => new KMS(clientConfig);

  let seal;
  if (opts.shape === "cognito") {
    const { encrypt } = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: opts.key, clientProvider });
    seal = (code) =>
      encrypt(keyring, code, {
        suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
        encryptionContext: { "userpool-id": opts.pool },
      });
  } else {
    // As cognito-local's CryptoService does.
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: opts.alias || opts.key, keyIds: [opts.key], clientProvider });
    seal = (code) => encrypt(keyring, code);
  }
  for (const code of codes) {
    const { result } = await seal(code);
    process.stdout.write(result.toString("base64") + "\n");
  }
}

main().catch((err) => {
  // The error names the key or endpoint at most, never the code.
  console.error("encrypt-code.js: " + (err && err.message ? err.message : String(err)));
  process.exit(1);
});
