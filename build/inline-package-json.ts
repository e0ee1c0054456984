// The engine reads its version with `createRequire(import.meta.url)('../package.json')`, a path relative to
// its source file. Bundled into dist/electron/ that path would point at dist/package.json, which does not
// exist, so the bundle carries the two fields instead.
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

const PACKAGE_READ = /createRequire\(import\.meta\.url\)\((['"])((?:\.\.?\/)+package\.json)\1\)/g;

export function inlinePackageJson(): Plugin {
  return {
    name: 'mailbridge:inline-package-json',
    transform(code, id) {
      if (!code.includes('package.json')) return null;
      let changed = false;
      const next = code.replace(PACKAGE_READ, (_read, _quote: string, relative: string) => {
        const { name, version } = JSON.parse(fs.readFileSync(path.resolve(path.dirname(id), relative), 'utf8')) as { name: string; version: string };
        changed = true;
        return `(${JSON.stringify({ name, version })})`;
      });
      return changed ? { code: next, map: null } : null;
    },
  };
}
