// Command compose-check loads a compose file the way `docker compose` does, with compose-go (the
// loader Docker Compose v2 is built on): YAML, schema validation, interpolation, normalization and
// the consistency of references (depends_on, volumes, networks). It then checks that the files
// the project builds from or mounts exist, because Docker would silently mount a missing file as
// an empty folder. On success it prints the resolved project as JSON, which
// tools/compose-check/consistency.ts compares with the local stack.
//
// Usage: compose-check <compose file>
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose file>")
		os.Exit(2)
	}
	project, err := load(os.Args[1])
	if err != nil {
		fail(err)
	}
	if problems := missingFiles(project); len(problems) > 0 {
		fail(errors.Join(problems...))
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func load(file string) (*types.Project, error) {
	path, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	// The environment and a .env beside the file interpolate ${...}, as for `docker compose`.
	options, err := cli.NewProjectOptions([]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

// missingFiles lists build contexts, Dockerfiles and bind-mount sources that do not exist.
func missingFiles(project *types.Project) []error {
	var problems []error
	missing := func(service, what, path string) {
		if _, err := os.Stat(path); err != nil {
			problems = append(problems, fmt.Errorf("service %q: %s %s does not exist", service, what, path))
		}
	}
	for _, name := range project.ServiceNames() {
		service := project.Services[name]
		if build := service.Build; build != nil {
			missing(name, "build context", build.Context)
			dockerfile := build.Dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(build.Context, dockerfile)
			}
			missing(name, "Dockerfile", dockerfile)
		}
		for _, volume := range service.Volumes {
			if volume.Type == types.VolumeTypeBind {
				missing(name, "bind-mount source", volume.Source)
			}
		}
	}
	return problems
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}
