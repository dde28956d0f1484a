#!/usr/bin/env node
// The `tessera` bin: registers tsx's loader in this process and runs the TypeScript CLI,
// so `npx tessera ...` works in a checkout with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
