/**
 * A person's afternoon in the studio, in Chromium against the web host with the real worker, the
 * real model pack and real ffmpeg: create a project, generate from text (watching progress and the
 * live preview), re-render with a new seed and switch takes, animate an imported PNG, extend a
 * clip, remix it, close and reopen the project, recover from a killed worker, play the timeline,
 * undo and redo a timeline edit, bridge two clips and loop an image. Elements are found by role
 * and name. Screenshots: test-output/afternoon-*.png (one is e2e/afternoon.png).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { forkWorkerSpawner } from '../main/node/forkWorker.js';
import { ensureRendererBuilt } from '../main/node/rendererBuild.js';
import { createStudio, type Studio } from '../main/node/studio.js';
import { startWebHost, type WebHost } from '../main/node/webHost.js';
import type { Job } from '../preload/contract.js';
import { CHROMIUM_ARGS, chromiumPath, OUTPUT_DIR, ROOT } from './support.js';

/** Generous: 2 cores, and a model may be training in the background. */
const JOB_TIMEOUT = 240_000;
const STEP_TIMEOUT = 420_000;
const STEPS = '6';
const TEXT_PROMPT = 'a red ball moving right on a blue background';
const EXTENDED = 'the red ball keeps moving right on a blue background';
const GREEN = 'a green ball moving right on a blue background';

/** An MD5 of a clip's decoded frames (the container's metadata differs from take to take). */
function frameHash(video: string): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', video, '-f', 'framemd5', '-'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').pop()?.trim())
    .join(' ');
}

/** How many frames a clip has, as ffmpeg decodes them. */
const decodedFrames = (video: string) => frameHash(video).split(' ').length;

/** Polls `check` until it holds. */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('an afternoon in the studio (Chromium, web host, real engine)', () => {
  let dataDir: string;
  let studio: Studio;
  let web: WebHost;
  let browser: Browser;
  let page: Page;
  let projectDir = '';
  let pngPath = '';
  const shot = async (name: string) => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, `afternoon-${name}.png`) });
  };
  const region = (name: string) => page.getByRole('region', { name, exact: true });
  const clipsList = () => region('Media').getByRole('list', { name: 'Clips' });
  const jobRow = (id: string) => region('Queue').getByRole('list', { name: 'Jobs' }).locator(`li[data-job-id="${id}"]`);

  /** Runs `action`, then returns the job it queued (a job id not seen before). */
  const queued = async (action: () => Promise<void>): Promise<Job> => {
    const known = new Set(studio.queue.list().map((j) => j.id));
    await action();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = studio.queue.list().find((j) => !known.has(j.id));
      if (job) return job;
      assert.ok(Date.now() < deadline, 'no new job was queued');
      await page.waitForTimeout(50);
    }
  };

  /** Waits for the job's row to say it succeeded (a failure is reported with its reason). */
  const finished = async (job: Job) => {
    const row = jobRow(job.id);
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.job-state', { hasText: /^(succeeded|failed|cancelled)$/ }).waitFor({ timeout: JOB_TIMEOUT });
    const done = studio.queue.get(job.id);
    assert.equal(done?.state, 'succeeded', `job ${job.id} ${done?.state}: ${done?.error?.message ?? ''}`);
    return done;
  };

  const fillCommon = async (prompt: string | null) => {
    const form = region('Prompt');
    if (prompt !== null) await form.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt);
    await form.getByRole('spinbutton', { name: 'Steps' }).fill(STEPS);
    await form.getByRole('combobox', { name: 'Duration' }).selectOption({ label: '1.1 s (9 frames)' });
  };

  const selectClip = async (name: string | RegExp) => {
    const exact = typeof name === 'string';
    await clipsList().getByRole('listitem', { name, exact }).first().getByRole('button').click();
  };

  /** The file the clip named `name` plays (its active take's asset), from the main side. */
  const activeAsset = (name: string) => {
    const project = studio.projects.snapshot();
    const clip = project?.clips.find((c) => c.name === name);
    const take = project?.takes.find((t) => t.id === clip?.activeTakeId);
    const asset = project?.assets.find((a) => a.id === take?.assetId);
    assert.ok(asset, `clip "${name}" has a finished take`);
    return asset;
  };

  before(async () => {
    const staticDir = await ensureRendererBuilt(ROOT);
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-afternoon-'));
    studio = createStudio({ spawnWorker: forkWorkerSpawner(), dataDir, autosaveMs: 500 });
    web = await startWebHost({ studio, staticDir, port: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (error) => console.error('[page error]', error.message));
    await page.goto(web.url);
    await studio.host.whenReady(120_000);
    pngPath = join(dataDir, 'red.png');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=red:s=128x128',
      '-frames:v',
      '1',
      pngPath,
    ]);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await studio?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a project', { timeout: 60_000 }, async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByRole('textbox', { name: 'Project name' }).fill('Afternoon');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.project-name', { hasText: 'Afternoon' }).waitFor();
    projectDir = studio.projects.snapshot()?.dir ?? '';
    assert.ok(existsSync(join(projectDir, 'project.json')), 'project.json written');
    assert.ok(existsSync(join(projectDir, 'media')), 'media/ created');
    await shot('1-project');
  });

  it('generates a clip from text; the progress bar and the live preview move', { timeout: STEP_TIMEOUT }, async () => {
    const prompt = region('Prompt').getByRole('textbox', { name: 'Prompt', exact: true });
    await prompt.fill(TEXT_PROMPT);
    // The expanded caption the model sees appears under the prompt.
    await region('Prompt')
      .getByText(/Model sees:/)
      .waitFor({ timeout: 15_000 });
    await fillCommon(null);
    // Enough steps to watch the bar and the preview move.
    await region('Prompt').getByRole('spinbutton', { name: 'Steps' }).fill('30');
    await region('Prompt').getByRole('spinbutton', { name: 'Seed' }).fill('1234');
    // The built-in pack offers both transformers and starts on its default, int8.
    const precision = region('Prompt').getByRole('combobox', { name: 'Precision' });
    assert.equal(await precision.inputValue(), 'int8');
    assert.deepEqual(await precision.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))), [
      'fp32',
      'int8',
    ]);
    const job = await queued(() => region('Prompt').getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.precision, 'int8');
    const row = jobRow(job.id);
    await row.waitFor({ timeout: 30_000 });
    const bar = row.getByRole('progressbar');
    const values = new Set<number>();
    const previews = new Set<string>();
    const deadline = Date.now() + JOB_TIMEOUT;
    while (studio.queue.get(job.id)?.state !== 'succeeded') {
      assert.ok(Date.now() < deadline, 'job did not finish');
      const state = studio.queue.get(job.id)?.state;
      assert.ok(state === 'queued' || state === 'running', `job ${state}: ${studio.queue.get(job.id)?.error?.message}`);
      // The row, its bar and its preview may change under us when the job ends: never wait long here.
      const value = await bar.evaluate((el) => (el as unknown as { value: number }).value, null, { timeout: 2_000 });
      values.add(value);
      const src = await row
        .getByRole('img', { name: 'Live preview' })
        .getAttribute('src', { timeout: 200 })
        .catch(() => null);
      if (src) {
        previews.add(src);
        if (previews.size === 2) await shot('2-generating');
      }
      await page.waitForTimeout(40);
    }
    const moving = [...values].filter((v) => v > 0 && v < 100);
    assert.ok(moving.length >= 3, `the progress bar moved (${[...values].join(', ')})`);
    assert.ok(previews.size >= 3, `the live preview changed (${previews.size} images)`);
    await clipsList().getByRole('listitem', { name: TEXT_PROMPT }).waitFor({ timeout: 30_000 });
    const clip = studio.projects.snapshot()?.assets.find((a) => a.recipe?.prompt === TEXT_PROMPT);
    assert.ok(clip?.path.startsWith(join(projectDir, 'media')), 'the clip lands in the project media/ folder');
    await selectClip(TEXT_PROMPT);
    await region('Player').locator('video').waitFor();
    // A single-object clip on the built-in pack (noise search on): the guide chose its starting
    // noise, the recipe keeps which, and the Inspector says so.
    const searched = clip?.recipe?.searchCandidate;
    assert.ok(searched !== undefined, 'noise search ran for a single-object text-to-video clip');
    await region('Inspector').getByText(`candidate ${searched} of ${clip?.recipe?.search}`).waitFor();
    // The pack's high-noise guidance band applies to text-to-video, and the Inspector shows it.
    const band = clip?.recipe?.guidanceHigh;
    assert.ok(band, "the built-in pack's guidance band is in a text-to-video recipe");
    await region('Inspector').getByText(`${clip?.recipe?.guidance} (${band.guidance} for t ≥ ${band.fromT})`).waitFor();
    // The built-in pack's default precision (int8 from 0.12.2) ran, and the Inspector names it.
    assert.equal(clip?.recipe?.precision, 'int8');
    assert.equal(await region('Inspector').getByTestId('recipe-precision').textContent(), 'int8');
    await shot('3-generated');
  });

  it('re-renders with a new seed and switches takes', { timeout: STEP_TIMEOUT }, async () => {
    const inspector = region('Inspector');
    const job = await queued(() => inspector.getByRole('button', { name: 'Re-render with new seed' }).click());
    assert.notEqual(job.request.seed, 1234);
    await finished(job);
    const takes = inspector.getByRole('group', { name: 'Takes' }).getByRole('radio');
    await until(async () => (await inspector.locator('.takes input[type=radio]:not(:disabled)').count()) === 2);
    assert.equal(await takes.count(), 2);
    assert.equal(await inspector.getByRole('radio', { name: /Take 2/ }).isChecked(), true);
    await inspector.getByText(`${job.request.seed}`, { exact: true }).waitFor();
    const before = await region('Player').locator('video').getAttribute('src');
    // The main side owns the active take: the radio follows once it confirms.
    await inspector.getByRole('radio', { name: /Take 1/ }).click();
    await until(() => inspector.getByRole('radio', { name: /Take 1/ }).isChecked());
    await inspector.getByText('1234', { exact: true }).waitFor({ timeout: 10_000 });
    await until(async () => (await region('Player').locator('video').getAttribute('src')) !== before);
    assert.equal(await inspector.getByRole('radio', { name: /Take 1/ }).isChecked(), true);
    // "Re-render" keeps the seed: a third take with identical frames.
    const same = await queued(() => inspector.getByRole('button', { name: 'Re-render', exact: true }).click());
    assert.equal(same.request.seed, 1234);
    const third = await finished(same);
    const first = studio.projects
      .snapshot()
      ?.assets.find((a) => a.recipe?.seed === 1234 && a.path !== third?.result?.videoPath);
    assert.ok(first && third?.result, 'both same-seed takes are there');
    assert.equal(frameHash(third.result.videoPath), frameHash(first.path), 'same seed, identical frames');
    await inspector.getByRole('radio', { name: /Take 3/ }).waitFor();
    await shot('4-takes');
  });

  it('imports a PNG and animates it in Image mode', { timeout: STEP_TIMEOUT }, async () => {
    await region('Media').getByLabel('Import files').setInputFiles(pngPath);
    await clipsList().getByRole('listitem', { name: 'red.png' }).waitFor({ timeout: 30_000 });
    const form = region('Prompt');
    await form.getByRole('combobox', { name: 'Mode' }).selectOption({ label: 'Image' });
    await form.getByRole('combobox', { name: 'Source' }).selectOption({ label: 'red.png' });
    await fillCommon('a red square staying still on a red background');
    // This one in float32, picked in the form: the job and the clip's recipe say so.
    await form.getByRole('combobox', { name: 'Precision' }).selectOption('fp32');
    const job = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.mode, 'i2v');
    assert.equal(job.request.precision, 'fp32');
    assert.ok(job.request.source?.startsWith(join(projectDir, 'media')), 'the imported PNG was copied into media/');
    await finished(job);
    await clipsList().getByRole('listitem', { name: 'a red square staying still on a red background' }).waitFor();
    await selectClip('a red square staying still on a red background');
    assert.equal(await region('Inspector').getByTestId('recipe-precision').textContent(), 'fp32');
    await form.getByRole('combobox', { name: 'Precision' }).selectOption('int8');
    await shot('5-image');
  });

  it('extends a clip forward', { timeout: STEP_TIMEOUT }, async () => {
    await selectClip(TEXT_PROMPT);
    await region('Inspector').getByRole('button', { name: 'Extend forward' }).click();
    const form = region('Prompt');
    assert.equal(await form.getByRole('combobox', { name: 'Mode' }).inputValue(), 'extend');
    assert.equal(await form.getByRole('radio', { name: /Forward/ }).isChecked(), true);
    assert.equal(await form.getByRole('textbox', { name: 'Prompt', exact: true }).inputValue(), TEXT_PROMPT);
    await fillCommon('the red ball keeps moving right on a blue background');
    const job = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.mode, 'extend_forward');
    await finished(job);
    await until(async () => (await clipsList().getByRole('listitem').count()) >= 4);
    await shot('6-extend');
  });

  it('uses the frame at the playhead as the source of an Image job', { timeout: 120_000 }, async () => {
    await selectClip(TEXT_PROMPT);
    const player = region('Player');
    await player.locator('video').waitFor();
    await player.getByRole('button', { name: 'Next frame' }).waitFor();
    await page.locator('body').press('ArrowRight'); // arrow keys step one frame
    await page.locator('body').press('ArrowRight');
    await until(async () => (await player.getByRole('slider', { name: 'Scrubber' }).inputValue()) === '2');
    await region('Inspector').getByRole('button', { name: 'Use as image' }).click();
    const frameName = `Frame 0.31 s of ${TEXT_PROMPT}`;
    await clipsList().getByRole('listitem', { name: frameName }).waitFor({ timeout: 30_000 });
    const form = region('Prompt');
    await until(async () => (await form.getByRole('combobox', { name: 'Mode' }).inputValue()) === 'image');
    const source = form.getByRole('combobox', { name: 'Source' });
    assert.equal(await source.locator('option:checked').textContent(), frameName);
    await shot('7-use-as-image');
  });

  it('remixes it', { timeout: STEP_TIMEOUT }, async () => {
    await selectClip(TEXT_PROMPT);
    await region('Inspector').getByRole('button', { name: 'Remix' }).click();
    const form = region('Prompt');
    assert.equal(await form.getByRole('combobox', { name: 'Mode' }).inputValue(), 'remix');
    await form.getByRole('spinbutton', { name: 'Strength' }).fill('0.7');
    await fillCommon('a green ball moving right on a blue background');
    const job = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.mode, 'remix');
    await finished(job);
    await clipsList().getByRole('listitem', { name: 'a green ball moving right on a blue background' }).waitFor();
    await selectClip('a green ball moving right on a blue background');
    await region('Inspector').getByText('Remix', { exact: true }).first().waitFor();
    await region('Inspector').getByRole('button', { name: 'Add to timeline' }).click();
    await region('Timeline')
      .getByRole('listitem', { name: 'a green ball moving right on a blue background' })
      .waitFor();
    await shot('7-remix');
  });

  it('closes and reopens the project and finds everything, queued jobs included', {
    timeout: STEP_TIMEOUT,
  }, async () => {
    const before = studio.projects.snapshot();
    assert.ok(before);
    // A job still waiting when the project closes runs when it reopens.
    const form = region('Prompt');
    await form.getByRole('combobox', { name: 'Mode' }).selectOption({ label: 'Text' });
    await fillCommon('a yellow square moving left on a black background');
    const waiting = await queued(() => form.getByRole('button', { name: 'Generate' }).click());

    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByRole('textbox', { name: 'Project name' }).fill('Scratch');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.locator('.project-name', { hasText: 'Scratch' }).waitFor();
    assert.equal(await clipsList().count(), 0, 'the other project is empty');

    await page.reload(); // everything comes back from the main side, not from the page
    await page.getByRole('button', { name: 'Open project' }).click();
    const open = page.getByRole('dialog', { name: 'Open project' });
    await open.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name: 'Afternoon' }).click();
    await page.locator('.project-name', { hasText: 'Afternoon' }).waitFor();
    for (const clip of before.clips.filter((c) => c.activeTakeId)) {
      await clipsList().getByRole('listitem', { name: clip.name }).first().waitFor({ timeout: 15_000 });
    }
    await region('Timeline')
      .getByRole('listitem', { name: 'a green ball moving right on a blue background' })
      .waitFor();
    await jobRow(waiting.id).waitFor({ timeout: 15_000 });
    await finished(waiting);
    await selectClip(TEXT_PROMPT);
    assert.equal(await region('Inspector').getByRole('radio').count(), 3, 'all three takes are back');
    await shot('8-reopened');
  });

  it('a killed worker fails the running job with its reason; the next job succeeds', {
    timeout: STEP_TIMEOUT,
  }, async () => {
    const form = region('Prompt');
    await form.getByRole('combobox', { name: 'Mode' }).selectOption({ label: 'Text' });
    await fillCommon('a blue circle moving up on a white background');
    await form.getByRole('spinbutton', { name: 'Steps' }).fill('60');
    const doomed = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    await form.getByRole('spinbutton', { name: 'Steps' }).fill(STEPS);
    await fillCommon('a pink triangle moving down on a gray background');
    const next = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    const deadline = Date.now() + JOB_TIMEOUT;
    while ((studio.queue.get(doomed.id)?.progress?.step ?? 0) < 1) {
      assert.ok(Date.now() < deadline, 'the long job never started');
      await page.waitForTimeout(50);
    }
    const pid = studio.host.status.pid;
    assert.ok(pid, 'the worker reports its pid');
    process.kill(pid, 'SIGKILL');
    const row = jobRow(doomed.id);
    await row.locator('.job-state', { hasText: 'failed' }).waitFor({ timeout: 30_000 });
    await row.getByText(/worker was killed by SIGKILL/).waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: /Job failed: worker was killed/ })
      .first()
      .waitFor();
    await row.getByRole('button', { name: 'Retry' }).waitFor();
    await shot('9-worker-killed');
    await finished(next);
    assert.ok(studio.host.status.restarts >= 1, 'the worker was restarted');
    await jobRow(next.id).scrollIntoViewIfNeeded();
    await shot('10-recovered');
    copyFileSync(join(OUTPUT_DIR, 'afternoon-10-recovered.png'), join(ROOT, 'e2e', 'afternoon.png'));
  });

  it('importing a Tessera MP4 restores its recipe', { timeout: 120_000 }, async () => {
    const original = studio.projects.snapshot()?.assets.find((a) => a.recipe?.mode === 'remix');
    assert.ok(original, 'a remix clip to export');
    const exported = join(dataDir, 'exported-remix.mp4');
    copyFileSync(original.path, exported);
    await region('Media').getByLabel('Import files').setInputFiles(exported);
    await until(async () =>
      Boolean(studio.projects.snapshot()?.assets.find((a) => a.origin === 'imported' && a.recipe)),
    );
    const imported = studio.projects.snapshot()?.assets.find((a) => a.origin === 'imported' && a.recipe);
    assert.equal(imported?.recipe?.seed, original.recipe?.seed);
    assert.equal(imported?.recipe?.prompt, original.recipe?.prompt);
    // Listed by its prompt, newest first, with the recipe in the Inspector.
    await clipsList().getByRole('listitem', { name: original.recipe?.prompt }).first().getByRole('button').click();
    await region('Inspector').getByText(`${original.recipe?.seed}`, { exact: true }).waitFor();
    assert.equal(await region('Inspector').getByRole('button', { name: 'Re-render', exact: true }).isEnabled(), true);
  });

  it('plays the timeline: a frame step crosses from the first clip into the second', { timeout: 120_000 }, async () => {
    await selectClip(TEXT_PROMPT);
    await region('Inspector').getByRole('button', { name: 'Add to timeline' }).click();
    const items = region('Timeline').getByRole('list', { name: 'Timeline clips' }).getByRole('listitem');
    await until(async () => (await items.count()) === 2);
    const project = studio.projects.snapshot();
    const first = project?.clips.find((c) => c.id === project.timeline.clipIds[0]);
    const take = project?.takes.find((t) => t.id === first?.activeTakeId);
    const frames = project?.assets.find((a) => a.id === take?.assetId)?.frames ?? 0;
    assert.equal(first?.name, GREEN, 'the remix is first on the timeline');
    assert.ok(frames > 1, 'the first clip has frames');

    const player = region('Player');
    const playing = () => player.getAttribute('data-playing-clip');
    await player.getByRole('button', { name: 'Play timeline' }).click();
    assert.equal(await player.getByRole('button', { name: 'Play timeline' }).getAttribute('aria-pressed'), 'true');
    await until(async () => (await playing()) === GREEN);
    await player.getByRole('button', { name: 'Next frame' }).waitFor();
    const scrubber = player.getByRole('slider', { name: 'Scrubber' });
    // The last frame of the first clip, then one more: the second clip's first frame.
    for (let i = 0; i < frames - 1; i++) await page.keyboard.press('ArrowRight');
    await until(async () => (await scrubber.inputValue()) === String(frames - 1));
    assert.equal(await playing(), GREEN);
    await page.keyboard.press('ArrowRight');
    await until(async () => (await playing()) === TEXT_PROMPT);
    assert.equal(await scrubber.inputValue(), String(frames));
    await player.getByRole('heading', { name: new RegExp(`Timeline · ${TEXT_PROMPT}`) }).waitFor();
    await until(async () => (await items.nth(1).getAttribute('aria-current')) === 'true');
    assert.equal(await items.nth(0).getAttribute('aria-current'), null);
    await shot('timeline');
  });

  it('Undo brings back a clip removed from the timeline; Redo and the shortcuts follow', {
    timeout: 120_000,
  }, async () => {
    const items = region('Timeline').getByRole('list', { name: 'Timeline clips' }).getByRole('listitem');
    const names = () => items.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    const count = (n: number) => until(async () => (await items.count()) === n, 15_000);
    const undo = page.getByRole('button', { name: 'Undo', exact: true });
    const redo = page.getByRole('button', { name: 'Redo', exact: true });
    const saved = () =>
      (JSON.parse(readFileSync(join(projectDir, 'project.json'), 'utf8')) as { timeline: { clipIds: string[] } })
        .timeline.clipIds;
    const before = studio.projects.snapshot()?.timeline.clipIds;
    assert.deepEqual(await names(), [GREEN, TEXT_PROMPT]);
    assert.equal(await redo.isDisabled(), true, 'nothing to redo yet');

    await items.first().getByRole('button', { name: 'Remove from timeline' }).click();
    await count(1);
    assert.deepEqual(await names(), [TEXT_PROMPT]);
    await until(async () => (await undo.getAttribute('title')) === 'Undo remove from timeline (Ctrl+Z)');
    await undo.click();
    await count(2);
    assert.deepEqual(await names(), [GREEN, TEXT_PROMPT]);
    assert.deepEqual(studio.projects.snapshot()?.timeline.clipIds, before, 'the same clips, in the same order');
    await until(async () => (await redo.getAttribute('title')) === 'Redo remove from timeline (Ctrl+Shift+Z)');
    await shot('11-undo');

    // The shortcuts (focus is on the Undo button, not in a text field).
    await page.keyboard.press('Control+Shift+Z');
    await count(1);
    await page.keyboard.press('Control+Z');
    await count(2);
    await page.keyboard.press('Control+Y');
    await count(1);
    await page.keyboard.press('Control+Z');
    await count(2);
    // In a text field Ctrl+Z belongs to the text, not to the project.
    const prompt = region('Prompt').getByRole('textbox', { name: 'Prompt', exact: true });
    await prompt.fill('a few words');
    await prompt.press('Control+Z');
    await page.waitForTimeout(500);
    assert.equal(await items.count(), 2);
    assert.equal(studio.projects.snapshot()?.timeline.clipIds.length, 2);

    // Undo the clip's addition too: nothing older in this session, so Undo turns off; Redo restores.
    await undo.click();
    await count(1);
    await until(() => undo.isDisabled());
    await redo.click();
    await count(2);
    assert.deepEqual(await names(), [GREEN, TEXT_PROMPT]);
    await until(async () => JSON.stringify(saved()) === JSON.stringify(before), 15_000);
  });

  it('bridges two clips: new frames between the end of one and the start of the other', {
    timeout: STEP_TIMEOUT,
  }, async () => {
    const BRIDGE = 'the red ball moves right between two clips';
    const from = activeAsset(TEXT_PROMPT);
    const to = activeAsset(EXTENDED);
    const form = region('Prompt');
    await form.getByRole('combobox', { name: 'Mode' }).selectOption({ label: 'Bridge' });
    await form.getByRole('combobox', { name: 'From clip' }).selectOption({ label: TEXT_PROMPT });
    await form.getByRole('combobox', { name: 'To clip' }).selectOption({ label: EXTENDED });
    await fillCommon(BRIDGE);
    const job = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.mode, 'bridge');
    assert.equal(job.request.source, from.path);
    assert.equal(job.request.sourceEnd, to.path);
    const done = await finished(job);
    await clipsList().getByRole('listitem', { name: BRIDGE }).waitFor({ timeout: 30_000 });
    const bridge = activeAsset(BRIDGE);
    assert.equal(bridge.recipe?.mode, 'bridge');
    assert.equal(bridge.recipe?.source, from.path);
    assert.equal(bridge.recipe?.sourceEnd, to.path);
    assert.equal(bridge.recipe?.frames, 9);
    // 9 frames are 3 latent frames: the first holds clip A's last frame, the last clip B's first 4
    // frames, so only pixel frames 1-4 are new and written.
    assert.equal(done?.result?.frames, 4);
    assert.equal(bridge.frames, 4);
    assert.equal(decodedFrames(bridge.path), 4);
    await selectClip(BRIDGE);
    const inspector = region('Inspector');
    await inspector.getByText('Bridge', { exact: true }).first().waitFor();
    await inspector.getByText('Leads into', { exact: true }).waitFor();
    await inspector.getByRole('button', { name: EXTENDED, exact: true }).waitFor();
    await shot('12-bridge');
  });

  it('loops an image from the Inspector: the clip comes back to its start', { timeout: STEP_TIMEOUT }, async () => {
    const LOOP = 'a red square moving in a circle on a red background';
    const image = activeAsset('red.png');
    await selectClip('red.png');
    await region('Inspector').getByRole('button', { name: 'Loop', exact: true }).click();
    const form = region('Prompt');
    assert.equal(await form.getByRole('combobox', { name: 'Mode' }).inputValue(), 'loop');
    const start = form.getByRole('combobox', { name: 'Start image (optional)' });
    assert.equal(await start.locator('option:checked').textContent(), 'red.png');
    await fillCommon(LOOP);
    const job = await queued(() => form.getByRole('button', { name: 'Generate' }).click());
    assert.equal(job.request.mode, 'loop');
    assert.equal(job.request.source, image.path);
    const done = await finished(job);
    await clipsList().getByRole('listitem', { name: LOOP }).waitFor({ timeout: 30_000 });
    const loop = activeAsset(LOOP);
    assert.equal(loop.recipe?.mode, 'loop');
    assert.equal(loop.recipe?.source, image.path);
    assert.equal(loop.recipe?.sourceEnd, undefined);
    // The last of the 9 frames would repeat the first: it is dropped so the loop does not stutter.
    assert.equal(done?.result?.frames, 8);
    assert.equal(loop.frames, 8);
    assert.equal(decodedFrames(loop.path), 8);
    await selectClip(LOOP);
    await region('Inspector').getByText('Loop', { exact: true }).first().waitFor();
    await shot('13-loop');
  });
});
