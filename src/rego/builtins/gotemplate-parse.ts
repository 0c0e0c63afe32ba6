// The parser of Go's text/template syntax (lexing actions with trim markers and comments,
// pipelines, if / else if / else, with, range, define, template), shared by
// strings.render_template and the Helm-chart renderer the tests use (test/helpers/gotemplate.ts).
// It covers the syntax those two need; anything else (block, break, continue, character
// constants, hexadecimal numbers) is a TemplateError, never a silent difference.

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; line: number }
  | { kind: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; else: Node[] | null; line: number }
  | { kind: 'with'; pipe: Pipeline; body: Node[]; else: Node[] | null; line: number }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; else: Node[] | null; line: number }
  | { kind: 'template'; name: string; arg: Pipeline | null; line: number };

export type Pipeline = { decl: string[]; assign: boolean; cmds: Command[] };
export type Command = Term[];
export type Term =
  | { t: 'field'; base: 'dot' | 'root' | 'var' | 'paren'; varName?: string; paren?: Pipeline; chain: string[] }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; name: string };

/** Where a command starts in the template source and its text as Go prints a CommandNode (for errors). */
export interface CommandInfo {
  at: number;
  text: string;
}
/** Source offset and text of each parsed command and field term, for text/template's error context. */
export const sourceInfo = new WeakMap<object, CommandInfo>();

export class TemplateError extends Error {}

// ------------------------------------------------------------------ lexing

/** `at`: offset of the (trimmed) action body in the template source. */
type RawToken = { kind: 'text'; text: string } | { kind: 'action'; body: string; at: number; line: number; comment: boolean };

function lex(src: string, file: string): RawToken[] {
  const out: RawToken[] = [];
  let i = 0;
  const lineAt = (p: number) => src.slice(0, p).split('\n').length;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let j = open + 2;
    const trimLeft = src[j] === '-' && /\s/.test(src[j + 1] ?? '');
    if (trimLeft) j += 1;
    if (trimLeft) text = text.replace(/\s+$/, '');
    out.push({ kind: 'text', text });
    // find the closing }} outside strings
    let k = j;
    let quote: string | null = null;
    const isComment = src.slice(j).trimStart().startsWith('/*');
    if (isComment) {
      const endC = src.indexOf('*/', j);
      if (endC < 0) throw new TemplateError(`${file}:${lineAt(open)}: unterminated comment`);
      k = src.indexOf('}}', endC);
    } else {
      for (; k < src.length; k++) {
        const c = src[k];
        if (quote) {
          if (c === '\\' && quote === '"') {
            k++;
            continue;
          }
          if (c === quote) quote = null;
          continue;
        }
        if (c === '"' || c === '`' || c === "'") {
          quote = c;
          continue;
        }
        if (c === '}' && src[k + 1] === '}') break;
      }
    }
    if (k < 0 || k >= src.length) throw new TemplateError(`${file}:${lineAt(open)}: unclosed action`);
    let body = src.slice(j, k);
    const trimRight = /\s-$/.test(body);
    if (trimRight) body = body.slice(0, -1);
    out.push({ kind: 'action', body: body.trim(), at: j + (body.length - body.trimStart().length), line: lineAt(open), comment: isComment });
    i = k + 2;
    if (trimRight) {
      const m = /^\s*/.exec(src.slice(i));
      i += m ? m[0].length : 0;
    }
  }
  return out;
}

// ------------------------------------------------------------------ parsing expressions

function tokenizeExpr(s: string, where: string, offs: number[]): string[] {
  const toks: string[] = [];
  let i = 0;
  // offs[k]: where toks[k] starts in s (kept in step with every push below)
  const push = (...ts: string[]): void => {
    for (const t of ts) {
      offs.push(i + (t.startsWith('\u0000') ? 1 : 0));
      toks.push(t);
    }
  };
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) throw new TemplateError(`${where}: unterminated quoted string`);
      push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError(`${where}: unterminated raw quoted string`);
      push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === ')' && s[i + 1] === '.') {
      // "(pipeline).Field" (no space): a field chain on the parenthesised value, marked with
      // a leading NUL so it is not mistaken for a separate ".Field" argument.
      const m = /^\.[^\s()|,=]+/.exec(s.slice(i + 1));
      push(')', '\u0000' + (m ? m[0] : '.'));
      i += 1 + (m ? m[0].length : 1);
      continue;
    }
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      push(c);
      i++;
      continue;
    }
    if (s.startsWith(':=', i)) {
      push(':=');
      i += 2;
      continue;
    }
    if (c === '=') {
      push('=');
      i++;
      continue;
    }
    const m = /^[^\s()|,=]+/.exec(s.slice(i));
    if (!m) throw new TemplateError(`${where}: cannot tokenize ${JSON.stringify(s.slice(i))}`);
    // ").Field" chains: a token starting with "." right after ")" is a field chain on the paren.
    push(m[0]);
    i += m[0].length;
  }
  return toks;
}

function parsePipeline(src: string, where: string, base = 0): Pipeline {
  const offs: number[] = [];
  const toks = tokenizeExpr(src, where, offs);
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // $a := …   or   $k, $v := …   or   $a = …
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t === ',' || t.startsWith('$'))) {
    for (const t of toks.slice(0, declEnd)) if (t !== ',') decl.push(t);
    assign = toks[declEnd] === '=';
    pos = declEnd + 1;
  }
  const parseCmds = (stopAtParen: boolean): Command[] => {
    const cmds: Command[] = [];
    let cmd: Command = [];
    let words: string[] = [];
    let cmdAt = base + (offs[pos] ?? 0);
    const close = (): void => {
      cmds.push(cmd);
      sourceInfo.set(cmd, { at: cmdAt, text: words.join(' ') });
    };
    while (pos < toks.length) {
      const t = toks[pos];
      if (t === ')') {
        if (!stopAtParen) throw new TemplateError(`${where}: unexpected )`);
        break;
      }
      pos++;
      if (t === '|') {
        close();
        cmd = [];
        words = [];
        cmdAt = base + (offs[pos] ?? 0);
        continue;
      }
      if (t === '(') {
        const at = base + offs[pos - 1];
        const from = pos;
        const inner = parseCmds(true);
        if (toks[pos] !== ')') throw new TemplateError(`${where}: missing )`);
        pos++;
        let chain: string[] = [];
        if (pos < toks.length && toks[pos].startsWith('\u0000.')) {
          chain = toks[pos].slice(2).split('.');
          pos++;
        }
        const innerText = toks.slice(from, pos - (chain.length ? 2 : 1)).join(' ');
        const text = `(${innerText})` + (chain.length ? '.' + chain.join('.') : '');
        const term: Term = { t: 'field', base: 'paren', paren: { decl: [], assign: false, cmds: inner }, chain };
        sourceInfo.set(term, { at, text });
        words.push(text);
        cmd.push(term);
        continue;
      }
      const term = parseTerm(t, where);
      sourceInfo.set(term, { at: base + offs[pos - 1], text: t });
      words.push(t);
      cmd.push(term);
    }
    close();
    if (cmds.some((c) => c.length === 0)) throw new TemplateError(`${where}: empty command in pipeline`);
    return cmds;
  };
  const cmds = parseCmds(false);
  if (pos !== toks.length) throw new TemplateError(`${where}: trailing tokens`);
  return { decl, assign, cmds };
}

function parseTerm(t: string, where: string): Term {
  if (t.startsWith('"')) return { t: 'str', v: JSON.parse(t) as string };
  if (t.startsWith('`')) return { t: 'str', v: t.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { t: 'num', v: Number(t) };
  if (t === 'true' || t === 'false') return { t: 'bool', v: t === 'true' };
  if (t === 'nil') return { t: 'nil' };
  if (t === '.') return { t: 'field', base: 'dot', chain: [] };
  if (t.startsWith('.')) return { t: 'field', base: 'dot', chain: t.slice(1).split('.') };
  if (t === '$') return { t: 'field', base: 'root', chain: [] };
  if (t.startsWith('$.')) return { t: 'field', base: 'root', chain: t.slice(2).split('.') };
  if (t.startsWith('$')) {
    const [name, ...chain] = t.split('.');
    return { t: 'field', base: 'var', varName: name, chain };
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { t: 'ident', name: t };
  throw new TemplateError(`${where}: unexpected token ${t}`);
}

// ------------------------------------------------------------------ parsing structure

function parse(tokens: RawToken[], file: string, defines: Map<string, Node[]>): Node[] {
  let pos = 0;
  const where = (line: number) => `${file}:${line}`;
  const parseList = (terminators: string[]): { nodes: Node[]; term: string; rest: string; restAt: number; line: number } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++];
      if (tok.kind === 'text') {
        if (tok.text) nodes.push({ kind: 'text', text: tok.text });
        continue;
      }
      if (tok.comment) continue;
      const body = tok.body;
      const word = /^[a-z]+/.exec(body)?.[0] ?? '';
      const rest = body.slice(word.length).trim();
      const restAt = tok.at + body.length - body.slice(word.length).trimStart().length;
      if (terminators.includes(word) && (word === 'end' || word === 'else')) return { nodes, term: word, rest, restAt, line: tok.line };
      switch (word) {
        case 'if': {
          const branches: Array<{ cond: Pipeline; body: Node[] }> = [];
          let cond = parsePipeline(rest, where(tok.line), restAt);
          let elseBody: Node[] | null = null;
          for (;;) {
            const r = parseList(['else', 'end']);
            branches.push({ cond, body: r.nodes });
            if (r.term === 'end') break;
            if (r.rest.startsWith('if ')) {
              cond = parsePipeline(r.rest.slice(3), where(r.line), r.restAt + 3);
              continue;
            }
            const e = parseList(['end']);
            elseBody = e.nodes;
            break;
          }
          nodes.push({ kind: 'if', branches, else: elseBody, line: tok.line });
          break;
        }
        case 'with':
        case 'range': {
          const pipe = parsePipeline(rest, where(tok.line), restAt);
          const r = parseList(['else', 'end']);
          let elseBody: Node[] | null = null;
          if (r.term === 'else') elseBody = parseList(['end']).nodes;
          nodes.push({ kind: word, pipe, body: r.nodes, else: elseBody, line: tok.line } as Node);
          break;
        }
        case 'define': {
          const name = /^"([^"]+)"$/.exec(rest)?.[1];
          if (!name) throw new TemplateError(`${where(tok.line)}: define needs a quoted name`);
          const r = parseList(['end']);
          defines.set(name, r.nodes);
          break;
        }
        case 'template': {
          const m = /^"([^"]+)"\s*(.*)$/.exec(rest);
          if (!m) throw new TemplateError(`${where(tok.line)}: template needs a quoted name`);
          const argAt = restAt + rest.length - m[2].length;
          nodes.push({ kind: 'template', name: m[1], arg: m[2] ? parsePipeline(m[2], where(tok.line), argAt) : null, line: tok.line });
          break;
        }
        case 'end':
        case 'else':
          throw new TemplateError(`${where(tok.line)}: unexpected ${word}`);
        case 'block':
        case 'break':
        case 'continue':
          throw new TemplateError(`${where(tok.line)}: ${word} is not supported by this renderer`);
        default:
          nodes.push({ kind: 'action', pipe: parsePipeline(body, where(tok.line), tok.at), line: tok.line });
      }
    }
    if (terminators.length) throw new TemplateError(`${file}: missing {{ end }}`);
    return { nodes, term: '', rest: '', restAt: 0, line: 0 };
  };
  return parseList([]).nodes;
}

/** Parse a template; `define`d templates are added to `defines`. */
export function parseTemplate(src: string, file: string, defines: Map<string, Node[]>): Node[] {
  return parse(lex(src, file), file, defines);
}
