import { readFile } from 'node:fs/promises';
import { type CfdiVerdict, loadCfdiReferences, validateCfdi } from '@fiscal/cfdi';
import { processingConfig } from '@fiscal/invoice/settings';
import { defineConfig, parseConfig } from '@fiscal/kit/config';

const validateConfig = defineConfig({
  certificateDir: processingConfig.certificateDir,
  allowUnstamped: processingConfig.allowUnstamped,
});

export const validateUsage = `fiscal validate <file.xml...> [--json] [--allow-unstamped]
  exit 0: every file is a valid CFDI 4.0; 1: one is not (invalid, unsupported, stamp unverifiable);
  2: a file could not be read`;

type FileVerdict = ({ file: string } & CfdiVerdict) | { file: string; outcome: 'unreadable'; error: string };

/**
 * The validator the processor runs, on local files: every layer (XML safety, cfdv40.xsd structure,
 * SAT's rule matrix and catalogs, Sello, stamp with the PAC certificates), the verdict and every problem.
 */
export async function runValidate(
  files: string[],
  flags: { json: boolean; allowUnstamped: boolean },
): Promise<number> {
  if (files.length === 0) {
    console.error(`usage: ${validateUsage}`);
    return 2;
  }
  const settings = parseConfig(validateConfig);
  const references = await loadCfdiReferences({ certificateDir: settings.certificateDir });
  const requireStamp = !(flags.allowUnstamped || settings.allowUnstamped);
  const verdicts: FileVerdict[] = [];
  for (const file of files) {
    try {
      const document = await readFile(file);
      verdicts.push({ file, ...validateCfdi(document, { ...references, requireStamp }) });
    } catch (error) {
      verdicts.push({ file, outcome: 'unreadable', error: (error as Error).message });
    }
  }
  console.log(flags.json ? JSON.stringify(verdicts, null, 2) : verdicts.map(describe).join('\n'));
  if (verdicts.some((verdict) => verdict.outcome === 'unreadable')) return 2;
  return verdicts.every((verdict) => verdict.outcome === 'valid') ? 0 : 1;
}

function describe(verdict: FileVerdict): string {
  if (verdict.outcome === 'unreadable') return `${verdict.file}: unreadable (${verdict.error})`;
  const version = verdict.version ? ` (version ${verdict.version})` : '';
  const lines = [`${verdict.file}: ${verdict.outcome}${version}`];
  for (const problem of verdict.problems)
    lines.push(`  ${problem.code}  ${problem.path}  ${problem.message}`);
  return lines.join('\n');
}
