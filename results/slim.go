package results

// Slim returns a copy of the run with only what a baseline comparison reads:
// ids, verdicts, expectations and the observed outcome (path, reach classes,
// connect time, selected pairs), without logs, timelines, relay logs,
// candidate lists, captures' notes or world drawings. A committed baseline
// stays small and its diffs stay readable.
func (r *Run) Slim() *Run {
	out := *r
	out.Cases = make([]*Result, len(r.Cases))
	for i, c := range r.Cases {
		s := *c
		s.Log = nil
		s.World = nil
		s.Description = ""
		o := c.Observed
		o.Timeline = nil
		o.RelayLog = nil
		o.Gathered = nil
		o.Allocations = nil
		o.Wire = nil
		s.Observed = o
		out.Cases[i] = &s
	}
	return &out
}
