package groups

// SetDescScanChunk sets how many members a descending page reads at a
// time and returns a function restoring it.
func SetDescScanChunk(n int) func() {
	old := descScanChunk
	descScanChunk = n
	return func() { descScanChunk = old }
}
