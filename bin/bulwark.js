#!/usr/bin/env node
import { main } from '../bundle/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
