// Command compose-check validates a Docker Compose file with the same parser
// Docker Compose itself uses (github.com/compose-spec/compose-go/v2), without a
// Docker engine.
//
// It loads the project the way `docker compose config` does: the project
// directory is the compose file's directory, the project name is fixed, the
// `.env` file of that directory is read when present (it is optional), the
// file is validated against the Compose Specification schema (unknown keys,
// bad depends_on conditions, ...), variables are interpolated (`${VAR:?msg}`
// with VAR unset is an error) and the model is checked for consistency
// (depends_on an undefined service, undefined volumes/networks, ...).
//
// On top of that it applies a project policy: every `image:` must be pinned to
// a version tag or a digest (no tag and `latest` are rejected). Disable with
// --require-pinned-images=false.
//
// Exit status: 0 valid, 1 invalid, 2 usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/sirupsen/logrus"
)

const defaultProjectName = "orderscope"

// options are the inputs of one check.
type options struct {
	File                string   // compose file
	EnvFiles            []string // explicit env files; empty means "<project dir>/.env if present"
	ProjectName         string
	Profiles            []string // profiles to enable; "*" enables every service
	UseOSEnv            bool     // let the process environment feed interpolation, as docker compose does
	RequirePinnedImages bool
	MaxMemoryMiB        int // > 0: every long-running service has a memory limit, and they add up to at most this
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compose-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts     options
		envFiles stringList
		profiles stringList
		noOSEnv  bool
		print    bool
	)
	fs.StringVar(&opts.File, "f", "docker-compose.yml", "compose file to check")
	fs.StringVar(&opts.File, "file", "docker-compose.yml", "compose file to check (same as -f)")
	fs.Var(&envFiles, "env-file", "env file used for interpolation (repeatable); default: .env next to the compose file, if it exists")
	fs.StringVar(&opts.ProjectName, "project-name", defaultProjectName, "project name")
	fs.Var(&profiles, "profile", "profile to enable (repeatable); default: all profiles (\"*\"), so every service is checked")
	fs.BoolVar(&noOSEnv, "no-os-env", false, "ignore the process environment for interpolation (docker compose uses it; this makes the check hermetic)")
	fs.BoolVar(&opts.RequirePinnedImages, "require-pinned-images", true, "fail if an image has no tag, or the tag 'latest' (digests are accepted)")
	fs.IntVar(&opts.MaxMemoryMiB, "max-memory-mib", 0, "fail unless every service that keeps running (restart other than \"no\") has deploy.resources.limits.memory and they add up to at most this many MiB (0: no check)")
	fs.BoolVar(&print, "print", false, "print the normalized project as YAML, like `docker compose config`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: compose-check [-f docker-compose.yml] [--env-file FILE]... [--profile P]... [--no-os-env] [--require-pinned-images=true|false] [--print]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "compose-check: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return 2
	}
	opts.EnvFiles = envFiles
	opts.Profiles = profiles
	opts.UseOSEnv = !noOSEnv

	// compose-go reports warnings (unset variables, obsolete `version`) through logrus.
	logrus.SetOutput(stderr)
	logrus.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})

	project, err := check(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "compose-check: %s: INVALID\n%s\n", opts.File, indent(err.Error()))
		return 1
	}

	if print {
		out, err := project.MarshalYAML()
		if err != nil {
			fmt.Fprintf(stderr, "compose-check: cannot render project: %v\n", err)
			return 1
		}
		_, _ = stdout.Write(out)
		// keep stdout pure YAML; the summary goes to stderr
		fmt.Fprintln(stderr, summary(opts.File, project))
		return 0
	}
	fmt.Fprintln(stdout, summary(opts.File, project))
	if opts.MaxMemoryMiB > 0 {
		fmt.Fprintln(stdout, memorySummary(project, opts.MaxMemoryMiB))
	}
	return 0
}

// check loads and validates the compose project, then applies the policy checks.
func check(ctx context.Context, opts options) (*types.Project, error) {
	project, err := load(ctx, opts)
	if err != nil {
		return nil, explain(err)
	}
	if opts.RequirePinnedImages {
		if err := checkPinnedImages(project); err != nil {
			return nil, err
		}
	}
	if opts.MaxMemoryMiB > 0 {
		if err := checkMemoryBudget(project, opts.MaxMemoryMiB); err != nil {
			return nil, err
		}
	}
	return project, nil
}

// memoryLimits are the memory limits of the services that keep running, in MiB: one-shots
// (restart "no") are done before the stack serves, so they never hold memory beside the rest.
func memoryLimits(project *types.Project) (limits map[string]float64, total float64, unlimited []string) {
	limits = map[string]float64{}
	for _, name := range sortedServiceNames(project) {
		svc := project.Services[name]
		if svc.Restart == types.RestartPolicyNo {
			continue
		}
		if svc.Deploy == nil || svc.Deploy.Resources.Limits == nil || svc.Deploy.Resources.Limits.MemoryBytes <= 0 {
			unlimited = append(unlimited, name)
			continue
		}
		mib := float64(svc.Deploy.Resources.Limits.MemoryBytes) / (1 << 20)
		limits[name] = mib
		total += mib
	}
	return limits, total, unlimited
}

// checkMemoryBudget fails when a long-running service has no memory limit, or when the limits add
// up to more than maxMiB; the error lists every limit, largest first.
func checkMemoryBudget(project *types.Project, maxMiB int) error {
	limits, total, unlimited := memoryLimits(project)
	var problems []string
	if len(unlimited) > 0 {
		problems = append(problems, fmt.Sprintf("no deploy.resources.limits.memory: %s", strings.Join(unlimited, ", ")))
	}
	if total > float64(maxMiB) {
		problems = append(problems, fmt.Sprintf("the memory limits add up to %.0f MiB, more than %d MiB (--max-memory-mib): %s", total, maxMiB, limitList(limits)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

func limitList(limits map[string]float64) string {
	names := make([]string, 0, len(limits))
	for n := range limits {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if limits[names[i]] != limits[names[j]] {
			return limits[names[i]] > limits[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %.0f", n, limits[n])
	}
	return strings.Join(parts, ", ")
}

func memorySummary(project *types.Project, maxMiB int) string {
	limits, total, _ := memoryLimits(project)
	return fmt.Sprintf("compose-check: memory limits of the %d long-running services: %.0f MiB (at most %d): %s", len(limits), total, maxMiB, limitList(limits))
}

// load mirrors how `docker compose -f FILE -p NAME [--env-file ...] config` builds
// its project (docker/compose cmd/compose: toProjectOptions + config command options).
func load(ctx context.Context, opts options) (*types.Project, error) {
	if opts.File == "" {
		return nil, errors.New("no compose file given")
	}
	file, err := filepath.Abs(opts.File)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read compose file: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a compose file", opts.File)
	}
	name := opts.ProjectName
	if name == "" {
		name = defaultProjectName
	}
	profiles := opts.Profiles
	if len(profiles) == 0 {
		profiles = []string{"*"}
	}

	fns := []cli.ProjectOptionsFn{
		// project dir = directory of the compose file (must come before WithEnvFiles,
		// which looks for <project dir>/.env)
		cli.WithWorkingDirectory(filepath.Dir(file)),
	}
	if opts.UseOSEnv {
		// as in docker compose: the OS environment wins over .env
		fns = append(fns, cli.WithOsEnv)
	}
	fns = append(fns,
		// explicit --env-file(s), or <project dir>/.env only if it exists
		cli.WithEnvFiles(opts.EnvFiles...),
		cli.WithDotEnv,
		cli.WithName(name),
		cli.WithProfiles(profiles),
		// what `docker compose config` asks for
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
		cli.WithDiscardEnvFile,
	)
	po, err := cli.NewProjectOptions([]string{file}, fns...)
	if err != nil {
		return nil, err
	}
	return po.LoadProject(ctx)
}

// checkPinnedImages enforces the project policy: every image reference carries a
// version tag other than "latest", or a digest. Every offending service is reported.
func checkPinnedImages(project *types.Project) error {
	var problems []string
	for _, name := range sortedServiceNames(project) {
		svc := project.Services[name]
		if svc.Image == "" {
			continue // build-only service; docker compose names the image itself
		}
		if err := checkPinnedImage(svc.Image); err != nil {
			problems = append(problems, fmt.Sprintf("service %q: %v", name, err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("images must be pinned to a version tag (policy --require-pinned-images):\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

func checkPinnedImage(image string) error {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("image %q is not a valid image reference: %v", image, err)
	}
	if _, ok := ref.(reference.Digested); ok {
		return nil // pinned by content digest
	}
	tagged, ok := ref.(reference.Tagged)
	if !ok {
		return fmt.Errorf("image %q has no tag (implicitly 'latest'); pin a version, e.g. %s:1.2.3", image, image)
	}
	if tagged.Tag() == "latest" {
		return fmt.Errorf("image %q uses the 'latest' tag; pin a version", image)
	}
	return nil
}

func sortedServiceNames(project *types.Project) []string {
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func summary(file string, project *types.Project) string {
	names := sortedServiceNames(project)
	s := fmt.Sprintf("compose-check: %s: OK (project %q, %d services: %s)", file, project.Name, len(names), strings.Join(names, ", "))
	if n := len(project.DisabledServices); n > 0 {
		s += fmt.Sprintf(" [%d more disabled by profiles]", n)
	}
	return s
}

// falseSchema matches the jsonschema/v6 wording for a key the schema forbids,
// e.g. "services.api.restart_policy false schema".
var falseSchema = regexp.MustCompile(`(?m)(\S+) false schema$`)

// explain adds a readable hint to terse schema errors, keeping the original text.
func explain(err error) error {
	msg := err.Error()
	if m := falseSchema.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%w\nunknown key %q: not allowed here by the Compose Specification (extensions must start with x-)", err, m[1])
	}
	return err
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
