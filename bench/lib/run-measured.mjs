// Runs the Bulwark CLI in this process and prints its peak RSS to stderr as the last line:
//   BENCH {"maxRssKiB": N, "exitCode": N}
// Used by the bench scripts to measure a whole CLI run, Node start-up included.
import { main } from '../../bundle/main.js';

const code = await main(['node', 'bulwark', ...process.argv.slice(2)]);
process.stderr.write(`\nBENCH ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, exitCode: code })}\n`);
process.exitCode = code;
