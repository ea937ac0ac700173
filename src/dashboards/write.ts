/** `npm run dashboard:generate`: writes the generated dashboard next to this file (then formatted by prettier). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_FILE, challengesDashboard } from './generate';

const path = join(__dirname, DASHBOARD_FILE);
writeFileSync(path, JSON.stringify(challengesDashboard(), null, 2) + '\n');
console.log(`wrote ${path}`);
