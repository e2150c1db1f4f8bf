#!/usr/bin/env node
import { runCli } from '../bundle/main.js';

await runCli(process.argv);
