package scenarios

import (
	"embed"
	"io/fs"
)

// library holds the scenario library: the YAML files of the subfolders of
// this package (basics/, ...). Test data lives deeper (testdata/good/...)
// and is not matched.
//
//go:embed */*.yaml
var library embed.FS

// Library returns the embedded scenario library; load it with
// LoadFS(Library(), ".").
func Library() fs.FS { return library }
