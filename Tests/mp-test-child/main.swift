// The child of the Multiprocess tests (placeholder until Process lands).
