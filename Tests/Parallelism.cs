// Fixtures run two at a time. Most specs wait on the broker, PostgreSQL, a process or a fake, not on the CPU: run one
// at a time the suite kept this machine's 2 cores about a quarter busy and took 14 minutes. Every fixture has its own
// RabbitMQ virtual host, database, ports and fakes, so two of them do not meet. The fault and cluster scenarios and the
// benchmark smoke run alone ([NonParallelizable]): they kill processes in the middle of a burst and account for what X saw.
// So do the tracing specs: ActivitySources are process-wide, and an in-memory host's tracer records every host's spans.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
