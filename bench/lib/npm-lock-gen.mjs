// Writes a synthetic package-lock.json (lockfileVersion 3) of `entries` packages, shaped like a real large
// monorepo lockfile: hoisted packages plus nested copies (`node_modules/a/node_modules/b`), each with resolved,
// integrity, license, engines and dependencies fields. About 300 bytes per entry: 170,000 entries ≈ 50 MB.
import fs from 'node:fs';

export function writeNpmLock(file, entries) {
  const fd = fs.openSync(file, 'w');
  const write = (s) => fs.writeSync(fd, s);
  const hoisted = Math.ceil(entries * 0.6);
  const name = (i) => (i % 5 === 0 ? `@scope-${i % 97}/pkg-${i}` : `pkg-${i}`);
  const version = (i) => `${i % 13}.${i % 29}.${i % 7}`;
  write('{\n  "name": "bench-monorepo",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n');
  write('    "": {\n      "name": "bench-monorepo",\n      "version": "1.0.0",\n      "dependencies": {\n');
  for (let i = 0; i < 200; i++) write(`        "${name(i)}": "^${version(i)}"${i < 199 ? ',' : ''}\n`);
  write('      }\n    }');
  for (let i = 0; i < entries; i++) {
    const own = i < hoisted ? i : i - hoisted;
    const key = i < hoisted ? `node_modules/${name(i)}` : `node_modules/${name((own * 7) % hoisted)}/node_modules/${name(own)}`;
    const v = i < hoisted ? version(i) : version(own + 1);
    const base = name(own).split('/').pop();
    const deps = own % 3 === 0 ? `,\n      "dependencies": {\n        "${name((own + 1) % hoisted)}": "^${version((own + 1) % hoisted)}"\n      }` : '';
    write(
      `,\n    "${key}": {\n      "version": "${v}",\n      "resolved": "https://registry.npmjs.org/${name(own)}/-/${base}-${v}.tgz",\n` +
        `      "integrity": "sha512-${Buffer.from(`${key}@${v}`).toString('base64').padEnd(86, 'A').slice(0, 86)}==",\n` +
        `      "license": "MIT"${own % 4 === 0 ? ',\n      "dev": true' : ''}${deps}\n    }`,
    );
  }
  write('\n  }\n}\n');
  fs.closeSync(fd);
}
