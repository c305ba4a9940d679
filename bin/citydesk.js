#!/usr/bin/env node
// The `citydesk` command. citydesk runs its TypeScript sources through tsx, so what runs is always
// what is in src/ (no separate build step to forget).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
