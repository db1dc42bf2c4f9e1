// Build dist/ledgerium-extension.zip at the repository root from the files
// the manifest needs. A small stored-and-deflated zip writer keeps the build
// free of dependencies.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '..', 'dist', 'ledgerium-extension.zip');
const INCLUDED = [
  'manifest.json',
  'service-worker.js',
  'README.md',
  'lib',
  'content',
  'popup',
  'icons'
];
// A fixed date keeps the zip identical for identical sources.
const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

function listFiles(path) {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((name) => listFiles(join(path, name)));
  }
  return [path];
}

function entries() {
  const roots = [
    ...INCLUDED,
    ...readdirSync(here).filter((name) => /^sw-.*\.js$/.test(name))
  ];
  return roots
    .flatMap((name) => listFiles(join(here, name)))
    .map((path) => ({
      name: relative(here, path).split(sep).join('/'),
      data: readFileSync(path)
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const header = Buffer.alloc(30);
    const fields = [
      0x04034b50,
      20,
      0x0800,
      8,
      DOS_TIME,
      DOS_DATE,
      crc32(data),
      packed.length,
      data.length,
      nameBytes.length,
      0
    ];
    writeFields(header, fields, [4, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2]);
    locals.push(header, nameBytes, packed);
    const central = Buffer.alloc(46);
    writeFields(
      central,
      [
        0x02014b50,
        20,
        20,
        0x0800,
        8,
        DOS_TIME,
        DOS_DATE,
        crc32(data),
        packed.length,
        data.length,
        nameBytes.length,
        0,
        0,
        0,
        0,
        0,
        offset
      ],
      [4, 2, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4]
    );
    centrals.push(central, nameBytes);
    offset += header.length + nameBytes.length + packed.length;
  }
  const centralSize = centrals.reduce((total, part) => total + part.length, 0);
  const end = Buffer.alloc(22);
  writeFields(
    end,
    [0x06054b50, 0, 0, files.length, files.length, centralSize, offset, 0],
    [4, 2, 2, 2, 2, 4, 4, 2]
  );
  return Buffer.concat([...locals, ...centrals, end]);
}

function writeFields(buffer, values, sizes) {
  let at = 0;
  values.forEach((value, index) => {
    if (sizes[index] === 4) buffer.writeUInt32LE(value >>> 0, at);
    else buffer.writeUInt16LE(value, at);
    at += sizes[index];
  });
}

const files = entries();
const archive = zip(files);
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, archive);
const digest = createHash('sha256').update(archive).digest('hex').slice(0, 16);
console.log(
  `Wrote ${relative(process.cwd(), output)}: ${files.length} files, ${archive.length} bytes, sha256 ${digest}…`
);
