import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Serves the built single-page app: files as they are, any other path as index.html so client
 * routes like /sessions/:id load the app. Returns undefined when the app has not been built.
 */
export function webAppHandler(root: string): (urlPath: string) => Promise<Response | undefined> {
  const index = path.join(root, 'index.html');
  return async (urlPath) => {
    const decoded = safeDecode(urlPath);
    if (decoded === null) return undefined;
    const file = path.join(root, path.normalize(decoded));
    if (file.startsWith(root + path.sep) && (await isFile(file))) {
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      return new Response(await readFile(file), {
        headers: {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        },
      });
    }
    if (path.extname(decoded) !== '' || !(await isFile(index))) return undefined;
    return new Response(await readFile(index), {
      headers: { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' },
    });
  };
}

function safeDecode(p: string): string | null {
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
