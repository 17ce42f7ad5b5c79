// Command-line options: one definition of those the commands share (--store, --model, --threshold, --threads,
// --json, --help), and one parser that validates and converts every option that declares `parse`.
import { parseArgs } from 'node:util';
import { PREPROCESS } from '../src/frontends.mjs';
import { UsageError } from './cli-common.mjs';

/** `parse` for an integer option in [min, max]. */
export function integer(min, max = Infinity) {
  return (text, flag) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag} must be an integer ${max === Infinity ? `>= ${min}` : `in ${min}..${max}`}`);
    }
    return n;
  };
}

function oneOf(accepted) {
  return (text, flag) => {
    if (!accepted.includes(text)) throw new UsageError(`${flag} must be one of ${accepted.join(', ')}`);
    return text;
  };
}

function number(text, flag) {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number`);
  return n;
}

const SHARED = {
  store: { type: 'string', help: '--store DIR     the enrollment store (created on first enrollment; one model per store)' },
  model: {
    type: 'string',
    help: '--model M       a manifest id or an .onnx path; default: the store\'s model (store commands), else\n' +
      '                  the embedded default model',
  },
  threshold: {
    type: 'string', parse: number,
    help: '--threshold T   decision threshold (raw cosine); default: the model\'s calibrated threshold',
  },
  'min-confidence': {
    type: 'string', parse: number,
    help: '--min-confidence C  the threshold on the calibrated confidence scale (0..1) instead (calibrated models)',
  },
  threads: {
    type: 'string', parse: integer(1, 64),
    help: '--threads N     ONNX Runtime threads (default: every core, at most 4)',
  },
  json: { type: 'boolean', default: false, help: '--json          JSON output' },
  preprocess: {
    type: 'string', default: 'upstream', parse: oneOf(PREPROCESS),
    help: "--preprocess P  'upstream' (default: the model's own pipeline) or 'speaker-id' (the Python Speaker-ID\n" +
      "                  service's enhancement first: energy trim, best 3 s, peak 0.9, pre-emphasis)",
  },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The store commands' shared options. */
export const STORE = ['store', 'model', 'threshold', 'min-confidence', 'threads', 'json'];

/** A command's options: the shared ones it names, --help, and its own (same fields: type, short, default, parse, help). */
export function commandOptions(shared, own = {}) {
  return { ...Object.fromEntries(shared.map((name) => [name, SHARED[name]])), help: SHARED.help, ...own };
}

/** The "options:" section of a command's usage. */
export function optionsHelp(options) {
  const lines = Object.values(options).filter((o) => o.help).map((o) => `  ${o.help}`);
  return lines.length ? `options:\n${lines.join('\n')}` : '';
}

// `--threshold -1`: parseArgs takes a value that starts with '-' for an option; a number never is one, so join it.
function joinNegativeValues(options, args) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : null;
    if (name && options[name]?.type === 'string' && /^-(\d|\.\d)/.test(args[i + 1] ?? '')) {
      out.push(`${args[i]}=${args[i + 1]}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** -> { values, positionals }; values of options with `parse` converted (a UsageError when invalid). */
export function parseCommandLine(options, args) {
  let parsed;
  try {
    const spec = Object.fromEntries(Object.entries(options).map(([name, { parse, help, ...o }]) => [name, o]));
    parsed = parseArgs({ args: joinNegativeValues(options, args), options: spec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err.message.split('\n')[0]);
  }
  const values = { ...parsed.values };
  for (const [name, { parse }] of Object.entries(options)) {
    if (parse && values[name] !== undefined) values[name] = parse(values[name], `--${name}`);
  }
  return { values, positionals: parsed.positionals };
}
