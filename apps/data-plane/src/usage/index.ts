export { UsageAggregator } from './usage-aggregator';
export { UsageJournal, type JournalEntry, type JournalSize } from './usage-journal';
export { UsageReporter, type UsageBacklog, type UsageReporterOptions } from './usage-reporter';
export { UsageRecorder, type UsageRecorderOptions } from './usage-recorder';
export { readUsageSettings, usageJournalDir, type UsageSettings } from './usage-settings';
