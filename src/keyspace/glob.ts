/**
 * Glob matching exactly like Redis's stringmatchlen (util.c): `*`, `?`, `[...]` with
 * `^` negation, ranges (either order) and `\` escapes; a trailing `\` matches itself.
 * Operates on binary strings.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  return matchFrom(pattern, 0, subject, 0, nocase, 0) === 1;
}

const MAX_NESTING = 1000;

/** 1 = match, 0 = no match, -1 = give up (no later '*' can help: stop backtracking). */
function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean, nesting: number): number {
  if (nesting > MAX_NESTING) return 0;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const c = p[pi];
    switch (c) {
      case '*': {
        while (pi + 1 < plen && p[pi + 1] === '*') pi++;
        if (pi + 1 === plen) return 1;
        for (let k = si; k < slen; k++) {
          const r = matchFrom(p, pi + 1, s, k, nocase, nesting + 1);
          if (r !== 0) return r;
        }
        return -1;
      }
      case '?':
        si++;
        break;
      case '[': {
        pi++;
        const not = p[pi] === '^';
        if (not) pi++;
        let match = false;
        for (;;) {
          if (pi >= plen) {
            pi--;
            break;
          }
          if (p[pi] === '\\' && pi + 1 < plen) {
            pi++;
            if (p[pi] === s[si]) match = true;
          } else if (p[pi] === ']') {
            break;
          } else if (pi + 2 < plen && p[pi + 1] === '-') {
            let start = p.charCodeAt(pi);
            let end = p.charCodeAt(pi + 2);
            let ch = s.charCodeAt(si);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              ch = lower(ch);
            }
            pi += 2;
            if (ch >= start && ch <= end) match = true;
          } else if (nocase ? lower(p.charCodeAt(pi)) === lower(s.charCodeAt(si)) : p[pi] === s[si]) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return 0;
        si++;
        break;
      }
      case '\\':
        if (pi + 1 < plen) pi++;
      // fall through: compare the escaped char literally
      default:
        if (nocase ? lower(p.charCodeAt(pi)) !== lower(s.charCodeAt(si)) : p[pi] !== s[si]) return 0;
        si++;
        break;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p[pi] === '*') pi++;
      break;
    }
  }
  return pi === plen && si === slen ? 1 : 0;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
