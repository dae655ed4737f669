/**
 * Pausing under load: while the consumer's `isOverloaded` says so, a partition pauses before its
 * next message (the rest of its batch stays unresolved and is fetched again later), and a timer
 * resumes every paused partition together once the load is gone. Without `isOverloaded` nothing
 * ever pauses.
 */
import { type Consumer } from 'kafkajs';
import { type Logger } from '../logger';
import { partitionKey, type TopicPartition } from './metrics';

const OVERLOAD_POLL_MS = 200;

export interface BackpressureOptions {
  /** The consumer's name, for the logs. */
  name: string;
  isOverloaded?: () => boolean;
  /** Told of the partitions resumed together once the load is gone. */
  onResume?: (partitions: TopicPartition[]) => void;
  logger: Pick<Logger, 'info'>;
}

export class Backpressure {
  private readonly paused = new Map<string, TopicPartition>();
  private readonly resumeWhenRelieved: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly options: BackpressureOptions,
  ) {
    const { isOverloaded } = options;
    this.resumeWhenRelieved = isOverloaded
      ? setInterval(() => this.resumeIfRelieved(isOverloaded), OVERLOAD_POLL_MS)
      : undefined;
    this.resumeWhenRelieved?.unref();
  }

  /** Pauses the partition if the consumer is overloaded; true when it did. */
  pauseIfOverloaded(tp: TopicPartition): boolean {
    if (!this.options.isOverloaded?.()) return false;
    this.consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
    this.paused.set(partitionKey(tp), tp);
    this.options.logger.info('consumer paused: overloaded', { consumer: this.options.name, ...tp });
    return true;
  }

  isPaused(tp: TopicPartition): boolean {
    return this.paused.has(partitionKey(tp));
  }

  /** A revoked partition is no longer ours to resume. */
  forget(tp: TopicPartition): void {
    this.paused.delete(partitionKey(tp));
  }

  stop(): void {
    clearInterval(this.resumeWhenRelieved);
  }

  private resumeIfRelieved(isOverloaded: () => boolean): void {
    if (this.paused.size === 0 || isOverloaded()) return;
    this.consumer.resume(
      [...this.paused.values()].map((p) => ({ topic: p.topic, partitions: [p.partition] })),
    );
    this.options.logger.info('consumer resumed', {
      consumer: this.options.name,
      partitions: this.paused.size,
    });
    this.options.onResume?.([...this.paused.values()]);
    this.paused.clear();
  }
}
