/**
 * Every page of the built app in Chromium, in the host page (host/, README.md), against a real Prometheus serving
 * tests/fixtures/challenges.om.txt: what a person reads (tests/fixtures/expected.json's numbers and cells, state
 * words, headers, legends), the layout, the URL, accessibility, and a screenshot per page and theme.
 *
 * One rig for the whole run (pageSuite.ts); each page's describe blocks are in pages/, registered here in order.
 */
import { rigForTheRun } from './pageSuite.ts';
import { configurationPage, subPath } from './pages/appShell.ts';
import { lifecyclePage } from './pages/lifecycle.ts';
import { overviewPage } from './pages/overview.ts';
import { inspectDrawer, triagePage } from './pages/triage.ts';
import { usagePage } from './pages/usage.ts';
import { userDrilldown, usersChallengesPage } from './pages/usersChallenges.ts';

rigForTheRun();

overviewPage();
usersChallengesPage();
userDrilldown();
usagePage();
triagePage();
lifecyclePage();
configurationPage();
inspectDrawer();
subPath();
