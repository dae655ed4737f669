/**
 * What a fresh broker costs per write while its JIT warms up: a bench stack's Kafka written to
 * through the platform's producer in rounds of 1,000, the broker's CPU per write printed per
 * round. The reason the runner warms Kafka up before timing anything (support/kafka-warm-up.ts).
 *
 *   bash tools/platform.sh run bench/src/micro/kafka-warm-up.ts
 */
import { createKafka } from '@order-platform/runtime';
import { stackPidFile } from '@order-platform/tools';
import { BenchStack } from '../support/bench-stack';
import { pidInFile, processTreeCpuMs } from '../support/cpu-time';
import { warmUpKafka, WARM_UP_WRITES } from '../support/kafka-warm-up';

async function main(): Promise<void> {
  const stack = await BenchStack.up();
  try {
    const broker = pidInFile(stackPidFile(stack.stateDir, 'kafka'));
    if (broker === undefined) throw new Error('no Kafka broker pid');
    const kafka = createKafka({ clientId: 'kafka-warm-up', brokers: stack.kafkaBrokers });
    const cpu = () => processTreeCpuMs(broker) ?? Number.NaN;
    let before = cpu();
    let written = 0;
    await warmUpKafka(kafka, {
      writes: WARM_UP_WRITES + 4_000,
      onRound: (writes) => {
        const after = cpu();
        written += writes;
        console.log(
          `after ${String(written).padStart(6)} writes: broker CPU ${((after - before) / writes).toFixed(2)} ms per write`,
        );
        before = after;
      },
    });
  } finally {
    await stack.down();
  }
}

void main();
