// CLI entry: node operator/src/main.ts [flags]. SIGTERM/SIGINT stop it gracefully (in-flight reconciles finish,
// the lease is released). Exit codes: 0 after a clean stop, 2 for bad flags, 1 for fatal errors.
import { FlagError } from './flag-values.ts';
import { helpText, parseFlags } from './flags.ts';
import { inClusterConfig, loadKubeconfig } from './kube/kubeconfig.ts';
import { makeLogger } from './log.ts';
import { newOperator } from './operator.ts';

const SHUTDOWN_DEADLINE_MS = 25_000;

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`error: ${err.message}\n\n${helpText()}`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const log = makeLogger(flags.logLevel);
  const kc = flags.kubeconfig ? await loadKubeconfig(flags.kubeconfig) : inClusterConfig();

  const { manager } = newOperator({ kubeConfig: kc, flags, log });
  let signalled = false;
  const done = new Promise<number>((resolve) => {
    const onSignal = (sig: string) => {
      if (signalled) {
        return;
      }
      signalled = true;
      log.info('shutting down', { signal: sig });
      // Kubernetes kills the pod after its grace period anyway; leave on our own terms a little earlier.
      setTimeout(() => {
        log.error('graceful shutdown took too long; exiting');
        resolve(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      manager.stop().then(
        () => resolve(0),
        (err) => {
          log.error('shutdown failed', { error: (err as Error).message });
          resolve(1);
        }
      );
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
  await manager.start();
  log.info('operator started', {
    identity: manager.identity,
    metrics: manager.metricsUrl ?? 'disabled',
    health: manager.healthUrl ?? 'disabled',
    leaderElect: flags.leaderElect,
  });
  return done;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  }
);
