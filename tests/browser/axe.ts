/**
 * axe-core (node_modules/axe-core/axe.min.js, injected into the page) on the whole page: the serious and critical
 * violations, minus UPSTREAM: what @grafana/ui or scenes render themselves and the app cannot change, each by rule
 * and selector with the reason.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface UpstreamException {
  rule: string;
  /** Matched with Element.closest() against each offending node. */
  selector: string;
  why: string;
}

export const UPSTREAM: UpstreamException[] = [];

export interface Violation {
  rule: string;
  impact: string;
  help: string;
  nodes: string[];
}

export async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (upstream) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (c: Document) => Promise<{
            violations: Array<{
              id: string;
              impact: string;
              help: string;
              nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
            }>;
          }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document);
    const isUpstream = (rule: string, target: string) => {
      const el = document.querySelector(target);
      return upstream.some((u) => u.rule === rule && el?.closest(u.selector));
    };
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes
          .filter((n) => !isUpstream(v.id, n.target[0]))
          .map((n) => `${n.target.join(' ')} ${n.html.slice(0, 160)}`),
      }))
      .filter((v) => v.nodes.length > 0);
  }, UPSTREAM);
}
