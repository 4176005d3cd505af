package suites_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// suiteT is the *testing.T of the suite: each spec opens its case's
// synctest bubble in a subtest of it, since a bubble needs a *testing.T and
// Ginkgo specs only get a GinkgoT.
var suiteT *testing.T

func TestSuites(t *testing.T) {
	suiteT = t
	RegisterFailHandler(Fail)
	RunSpecs(t, "icelab")
}
