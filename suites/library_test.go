package suites_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/icelab/icelab"
	"github.com/icelab/icelab/results"
	"github.com/icelab/icelab/runner"
	"github.com/icelab/icelab/scenarios"
)

// The library suite: every case of the embedded library is one spec,
// labelled "library" plus its scenario's labels, so
// `ginkgo --label-filter=screego ./suites` runs just those.
var _ = Describe("scenario library", Label("library"), func() {
	files, err := scenarios.LoadFS(scenarios.Library(), ".")
	It("loads", func() {
		Expect(err).NotTo(HaveOccurred())
		Expect(files).NotTo(BeEmpty())
	})
	for _, f := range files {
		for _, c := range f.Cases {
			It(c.ID, Label(c.Scenario.Labels...), func() {
				var r *results.Result
				suiteT.Run(c.ID, func(t *testing.T) {
					r = runner.RunT(t, c, runner.Options{})
				})
				Expect(r).NotTo(BeNil())
				Expect(r.Verdict).To(Equal(results.Pass), icelab.Explain(r))
			})
		}
	}
})
