import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * This machine cannot pull base images, so the image is not built here. What can go wrong in it is
 * checked instead: the Dockerfile's shape (stages, user, entrypoint, labels), that every file it
 * copies from the build context is there and not ignored, and that the runtime stage's files alone,
 * laid out as the image lays them out, run the `fiscal` command.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions by stage, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): { from: string; name?: string; instructions: Instruction[] }[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && pending === '') continue;
    if (/^\s*#/.test(line)) continue;
    if (line.trimEnd().endsWith('\\')) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole) logical.push(whole);
  }
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: match?.[1] ?? args, name: match?.[2], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** .dockerignore's patterns, as the builder reads them (`**` any depth, `*` one name). */
function ignored(path: string): boolean {
  return dockerignore.some((pattern) => {
    const source = pattern
      .replace(/[.+^${}()|[\]]/g, '\\$&')
      .split('**/')
      .map((part) => part.replace(/\*/g, '[^/]*'))
      .join('(?:.*/)?');
    return new RegExp(`^${source}(?:/.*)?$`).test(path);
  });
}

function copies(stage: (typeof stages)[number]): { from?: string; sources: string[]; target: string }[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((word) => !word.startsWith('--'));
      return { from, sources: paths.slice(0, -1), target: paths.at(-1)! };
    });
}

describe('Dockerfile', () => {
  it('builds in stages and runs on a current Node.js LTS line the platform supports', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeVersion = /ARG NODE_VERSION=(\d+)/.exec(dockerfile)?.[1];
    expect(Number(nodeVersion) % 2, 'an even Node.js major: an LTS line').toBe(0);
    const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toContain(`^${nodeVersion}.`);
    for (const stage of stages) expect(stage.from).toMatch(/^node:\$\{NODE_VERSION\}-\S+-slim$/);
  });

  it('keeps only production dependencies and no toolchain in the runtime stage', () => {
    const build = stages.find((stage) => stage.name === 'build')!;
    const run = build.instructions.filter((instruction) => instruction.keyword === 'RUN').map((i) => i.args);
    expect(run.join('\n')).toMatch(/npm prune --omit=dev/);
    const runtimeSources = copies(runtime).flatMap((copy) =>
      copy.sources.map((source) => source.replace(/^\/src\//, '')),
    );
    expect(runtimeSources.filter((source) => /(^|\/)src(\/|$)|tsconfig|\.ts$/.test(source))).toEqual([]);
    expect(copies(runtime).every((copy) => copy.from === 'build')).toBe(true);
  });

  it('runs as a numeric non-root user with fiscal as its entrypoint, and says what it is', () => {
    const user = runtime.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args).toBe(
      '["fiscal"]',
    );
    const labels = runtime.instructions
      .filter((instruction) => instruction.keyword === 'LABEL')
      .map((instruction) => instruction.args)
      .join(' ');
    for (const label of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source'])
      expect(labels).toContain(`org.opencontainers.image.${label}=`);
  });

  it('copies from the build context only files that exist and that .dockerignore lets in', () => {
    for (const stage of stages) {
      for (const copy of copies(stage).filter((each) => each.from === undefined)) {
        for (const source of copy.sources) {
          expect(existsSync(join(root, source)), `${source} exists`).toBe(true);
          expect(ignored(source), `${source} is in the build context`).toBe(false);
        }
      }
    }
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('services/invoice/dist')).toBe(true);
    expect(ignored('packages/cfdi/catalogs')).toBe(false);
    expect(ignored('packages/cfdi/certificates')).toBe(false);
  });

  it('copies the manifest of every workspace before installing, so the lock is honoured whole', () => {
    const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[];
    const directories = workspaces.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
        : [pattern],
    );
    const build = copies(stages.find((stage) => stage.name === 'build')!).flatMap((copy) => copy.sources);
    for (const directory of directories) expect(build).toContain(`${directory}/package.json`);
    const shipped = copies(runtime).flatMap((copy) => copy.sources);
    for (const directory of directories) {
      expect(shipped).toContain(`/src/${directory}/package.json`);
      expect(shipped).toContain(`/src/${directory}/dist`);
    }
  });

  describe('the runtime stage, laid out as the image lays it out', () => {
    let image: string | undefined;
    afterAll(async () => {
      if (image) await rm(image, { recursive: true, force: true });
    });

    it('runs the fiscal command with only the files it copies (the validator reads its catalogs and certificates)', async () => {
      image = await mkdtemp(join(tmpdir(), 'fiscal-image-'));
      const app = image;
      for (const copy of copies(runtime)) {
        for (const source of copy.sources) {
          const relative = source.replace(/^\/src\//, '');
          if (relative === 'node_modules') continue;
          const target = copy.target.endsWith('/')
            ? join(app, copy.target, relative.split('/').at(-1)!)
            : join(app, copy.target);
          await mkdir(dirname(target), { recursive: true });
          await cp(join(root, relative), target, { recursive: true });
        }
      }
      // The image's node_modules is the build's, pruned; here each package links to this checkout's,
      // and the workspace links point into the laid-out tree, as npm's relative links do in the image.
      await mkdir(join(app, 'node_modules/@fiscal'), { recursive: true });
      for (const name of readdirSync(join(root, 'node_modules'))) {
        if (name === '@fiscal' || name === '.bin') continue;
        await symlink(join(root, 'node_modules', name), join(app, 'node_modules', name));
      }
      for (const name of readdirSync(join(root, 'node_modules/@fiscal'))) {
        const real = readFileSync(join(root, 'node_modules/@fiscal', name, 'package.json'), 'utf8');
        const workspace = JSON.parse(real).name as string;
        const directory = [
          ['@fiscal/cfdi', 'packages/cfdi'],
          ['@fiscal/contracts', 'packages/contracts'],
          ['@fiscal/kit', 'packages/kit'],
          ['@fiscal/cli', 'apps/cli'],
        ].find(([pkg]) => pkg === workspace)?.[1];
        await symlink(join(app, directory ?? `services/${name}`), join(app, 'node_modules/@fiscal', name));
      }
      const fiscal = join(app, 'apps/cli/bin/fiscal.js');
      const validate = spawnSync(
        process.execPath,
        [fiscal, 'validate', '--json', join(root, 'fixtures/cfdi/cfdiutils-cfdi40-valid.xml')],
        { encoding: 'utf8', env: { ...process.env, FISCAL_LOG_LEVEL: 'silent' }, timeout: 60_000 },
      );
      expect(validate.stderr).toBe('');
      expect(validate.status, validate.stdout).toBeLessThanOrEqual(1);
      expect(validate.stdout).toContain('"valid"');
      const config = spawnSync(process.execPath, [fiscal, 'config'], { encoding: 'utf8', timeout: 60_000 });
      expect(config.status).toBe(0);
      expect(config.stdout).toContain('FISCAL_DATABASE_URL');
    });
  });
});
