// Browser-test harness: serves dist/ on loopback and drives Debian's Chromium (headless) with playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/static-server.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const BASE_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
/** SwiftShader's software WebGPU adapter (slow, but exercises the real WebGPU path). */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

/**
 * Starts the server and a browser with a fresh profile. `flags` defaults to `--disable-gpu`; `headers`
 * are sent with every response (e.g. a Content-Security-Policy) and `onPost(path, body)` gets POSTs.
 * `site` is the folder served (bench/threads.mjs serves `dist-threads/`).
 */
export async function launch({ flags = ['--disable-gpu'], headers = {}, onPost = null, site = 'dist' } = {}) {
  const { server, url } = await startServer(new URL(`../../${site}/`, import.meta.url).pathname, 0, '127.0.0.1', { headers, onPost });
  const profile = mkdtempSync(join(tmpdir(), 'gan-playground-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: [...BASE_FLAGS, ...flags], viewport: { width: 1280, height: 800 },
  });
  return {
    url,
    context,
    async close() {
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `path` and records console errors and uncaught page errors. */
export async function open(env, path) {
  const page = await env.context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.url + path);
  return { page, errors };
}

export const status = (page) => page.evaluate(() => window.ganPlayground?.status() ?? null);

/** Polls `predicate(status)` until true; fails with the last status after `timeoutMs`. */
export async function waitForStatus(page, predicate, timeoutMs, what) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeoutMs) {
    last = await status(page);
    if (last && predicate(last)) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status ${JSON.stringify(last)}`);
}

export const canvasPixels = (page) => page.evaluate(() => document.querySelector('.lane-samples').toDataURL());
