// Verifies an ANS-104 data item with arbundles, an implementation independent of the gateway's.
// Usage: node verify.js item.bin
// Prints {"valid", "id", "signatureType", "owner", "target", "tags"} as JSON; exits 0 when the item is valid, 1 when
// it is not, 2 when it cannot be read at all.
"use strict";

const fs = require("fs");
const { DataItem } = require("arbundles");

async function main(file) {
  const binary = fs.readFileSync(file);
  const valid = await DataItem.verify(binary);
  const item = new DataItem(binary);
  console.log(JSON.stringify({
    valid,
    id: item.id,
    signatureType: item.signatureType,
    owner: valid ? item.owner : null,
    target: valid ? item.target : null,
    tags: valid ? item.tags : [],
  }));
  return valid ? 0 : 1;
}

if (process.argv.length !== 3) {
  console.error("usage: node verify.js item.bin");
  process.exit(2);
}
main(process.argv[2]).then(
  (code) => process.exit(code),
  (error) => {
    console.error(String(error && error.message ? error.message : error));
    process.exit(2);
  },
);
