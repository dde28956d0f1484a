/**
 * Reader for a Hugging Face `tokenizer.json` with a WordLevel model, and the pack's
 * caption encoding: [BOS] + word ids, truncated / padded with [PAD] to max_length.
 */
import { readFileSync } from 'node:fs';

export interface Encoding {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** Word pieces after normalisation and pre-tokenisation (without [BOS]). */
  tokens: string[];
  /** Tokens that mapped to [UNK]. */
  unknown: string[];
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class WordLevelTokenizer {
  readonly vocab: ReadonlyMap<string, number>;
  readonly unkId: number;
  readonly padId: number;
  readonly bosId: number;
  private readonly lowercase: boolean;
  private readonly splitPunctuation: boolean;

  constructor(json: unknown, source = 'tokenizer.json') {
    if (!isObject(json) || !isObject(json.model)) throw new Error(`${source}: not a tokenizers JSON file (no "model")`);
    const model = json.model;
    if (model.type !== 'WordLevel')
      throw new Error(`${source}: expected a WordLevel model, found ${String(model.type)}`);
    if (!isObject(model.vocab)) throw new Error(`${source}: model.vocab is missing`);
    const vocab = new Map<string, number>();
    for (const [word, id] of Object.entries(model.vocab)) {
      if (typeof id !== 'number') throw new Error(`${source}: vocab id of "${word}" is not a number`);
      vocab.set(word, id);
    }
    this.vocab = vocab;
    const unkToken = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
    const need = (tok: string): number => {
      const id = vocab.get(tok);
      if (id === undefined) throw new Error(`${source}: special token ${tok} is not in the vocabulary`);
      return id;
    };
    this.unkId = need(unkToken);
    this.padId = need('[PAD]');
    this.bosId = need('[BOS]');
    const normTypes = collectTypes(json.normalizer);
    this.lowercase = normTypes.includes('Lowercase') || normTypes.includes('BertNormalizer');
    const preTypes = collectTypes(json.pre_tokenizer);
    this.splitPunctuation =
      preTypes.length === 0 ||
      preTypes.some((t) => t === 'Whitespace' || t === 'Punctuation' || t === 'BertPreTokenizer');
  }

  static fromFile(path: string): WordLevelTokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`Cannot read tokenizer ${path}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`Tokenizer ${path} is not valid JSON: ${(err as Error).message}`);
    }
    return new WordLevelTokenizer(json, path);
  }

  /** Normalise and pre-tokenise into word pieces. */
  split(text: string): string[] {
    const norm = this.lowercase ? text.toLowerCase() : text;
    if (this.splitPunctuation) return norm.match(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]+/gu) ?? [];
    return norm.split(/\s+/u).filter((s) => s.length > 0);
  }

  /** Encodes a caption as [BOS] + ids, truncated / padded to maxLength. */
  encode(text: string, maxLength: number): Encoding {
    const tokens = this.split(text);
    const ids = new BigInt64Array(maxLength).fill(BigInt(this.padId));
    const mask = new BigInt64Array(maxLength);
    const unknown: string[] = [];
    ids[0] = BigInt(this.bosId);
    mask[0] = 1n;
    tokens.forEach((tok, i) => {
      const id = this.vocab.get(tok);
      if (id === undefined) unknown.push(tok);
      if (i + 1 < maxLength) {
        ids[i + 1] = BigInt(id ?? this.unkId);
        mask[i + 1] = 1n;
      }
    });
    return { inputIds: ids, attentionMask: mask, tokens, unknown };
  }
}

function collectTypes(node: unknown): string[] {
  if (!isObject(node)) return [];
  const own = typeof node.type === 'string' ? [node.type] : [];
  const children = [node.normalizers, node.pretokenizers].flatMap((list) =>
    Array.isArray(list) ? list.flatMap(collectTypes) : [],
  );
  return [...own, ...children];
}
