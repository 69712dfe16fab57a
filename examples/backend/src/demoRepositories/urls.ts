/**
 * `baseUrl` with URL-encoded path segments appended: `urlOf(base, name, '')`
 * is a repository's root (with its trailing slash).
 */
export function urlOf(baseUrl: string, ...segments: string[]): string {
  const url = new URL(baseUrl);
  url.pathname = [
    url.pathname.replace(/\/+$/, ''),
    ...segments.map(encodeURIComponent),
  ].join('/');
  return url.toString();
}
