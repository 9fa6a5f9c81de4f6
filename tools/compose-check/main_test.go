package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hermetic options: the test process environment must not feed interpolation.
func fixture(name string) options {
	return options{
		File:                filepath.Join("testdata", name),
		ProjectName:         defaultProjectName,
		UseOSEnv:            false,
		RequirePinnedImages: true,
	}
}

func TestValidFixture(t *testing.T) {
	p, err := check(context.Background(), fixture("valid.yml"))
	if err != nil {
		t.Fatalf("valid.yml: unexpected error: %v", err)
	}
	if p.Name != "orderscope" {
		t.Errorf("project name = %q, want orderscope", p.Name)
	}
	// profile "tracing" is enabled by the default "*" so jaeger is checked too
	if got := strings.Join(sortedServiceNames(p), ","); got != "jaeger,mes-api,migrate,postgres" {
		t.Errorf("services = %s", got)
	}
	api := p.Services["mes-api"]
	if c := api.DependsOn["postgres"].Condition; c != "service_healthy" {
		t.Errorf("mes-api depends_on postgres condition = %q", c)
	}
	if c := api.DependsOn["migrate"].Condition; c != "service_completed_successfully" {
		t.Errorf("mes-api depends_on migrate condition = %q", c)
	}
	if api.Deploy == nil || api.Deploy.Resources.Limits == nil || api.Deploy.Resources.Limits.MemoryBytes != 256*1024*1024 {
		t.Errorf("mes-api deploy.resources.limits.memory not parsed as 256M: %+v", api.Deploy)
	}
	if api.Build == nil || !filepath.IsAbs(api.Build.Context) {
		t.Errorf("mes-api build context not resolved to an absolute path: %+v", api.Build)
	}
	// defaults applied without any .env
	if got := p.Services["postgres"].Environment["POSTGRES_DB"]; got == nil || *got != "orders" {
		t.Errorf("POSTGRES_DB default not applied: %v", got)
	}
	if _, ok := p.Volumes["pgdata"]; !ok {
		t.Errorf("named volume pgdata missing")
	}
	if got := p.Volumes["uploads"].Name; got != "orderscope-uploads" {
		t.Errorf("volume uploads name = %q", got)
	}
}

func TestInvalidFixtures(t *testing.T) {
	cases := []struct {
		file string
		want string // substring of the error
	}{
		{"unknown-key.yml", `unknown key "services.postgres.restart_policy"`},
		{"bad-condition.yml", "services.api.depends_on.postgres.condition value must be one of"},
		{"undefined-dependency.yml", `depends on undefined service "postgres"`},
		{"unpinned-image.yml", `image "postgres" has no tag`},
		{"unpinned-image.yml", `image "redis:latest" uses the 'latest' tag`},
		{"required-variable.yml", "ORDERSCOPE_TEST_API_TOKEN must be set"},
		{"bad-interpolation.yml", "invalid interpolation format"},
	}
	for _, tc := range cases {
		t.Run(tc.file+"/"+tc.want, func(t *testing.T) {
			_, err := check(context.Background(), fixture(tc.file))
			if err == nil {
				t.Fatalf("%s: expected an error containing %q, got none", tc.file, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s: error %q does not contain %q", tc.file, err, tc.want)
			}
		})
	}
}

func TestPinnedImagePolicyCanBeDisabled(t *testing.T) {
	o := fixture("unpinned-image.yml")
	o.RequirePinnedImages = false
	if _, err := check(context.Background(), o); err != nil {
		t.Fatalf("with --require-pinned-images=false: %v", err)
	}
}

func TestCheckPinnedImage(t *testing.T) {
	ok := []string{
		"postgres:16.4",
		"postgres:16.4-alpine",
		"docker.io/library/postgres:16",
		"localhost:5000/orderscope/api:1.0.0", // registry port is not a tag
		"ghcr.io/org/img@sha256:0000000000000000000000000000000000000000000000000000000000000000",
	}
	bad := []string{
		"postgres",
		"postgres:latest",
		"localhost:5000/orderscope/api",
		"Invalid/UPPER:1",
	}
	for _, img := range ok {
		if err := checkPinnedImage(img); err != nil {
			t.Errorf("%s: unexpected error %v", img, err)
		}
	}
	for _, img := range bad {
		if err := checkPinnedImage(img); err == nil {
			t.Errorf("%s: expected an error", img)
		}
	}
}

// .env next to the compose file is read when present, and --env-file replaces it.
func TestDotEnvAndEnvFile(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "required-variable.yml"))
	if err != nil {
		t.Fatal(err)
	}
	compose := filepath.Join(dir, "docker-compose.yml")
	write(t, compose, string(src))
	o := options{File: compose, RequirePinnedImages: true}

	if _, err := check(context.Background(), o); err == nil {
		t.Fatal("expected an error without .env")
	}

	write(t, filepath.Join(dir, ".env"), "ORDERSCOPE_TEST_API_TOKEN=from-dotenv\n")
	p, err := check(context.Background(), o)
	if err != nil {
		t.Fatalf("with .env: %v", err)
	}
	if got := p.Services["api"].Environment["API_TOKEN"]; got == nil || *got != "from-dotenv" {
		t.Errorf("API_TOKEN = %v, want from-dotenv", got)
	}

	other := filepath.Join(t.TempDir(), "ci.env")
	write(t, other, "ORDERSCOPE_TEST_API_TOKEN=from-env-file\n")
	o.EnvFiles = []string{other}
	p, err = check(context.Background(), o)
	if err != nil {
		t.Fatalf("with --env-file: %v", err)
	}
	if got := p.Services["api"].Environment["API_TOKEN"]; got == nil || *got != "from-env-file" {
		t.Errorf("API_TOKEN = %v, want from-env-file", got)
	}

	o.EnvFiles = []string{filepath.Join(dir, "missing.env")}
	if _, err := check(context.Background(), o); err == nil {
		t.Error("expected an error for a missing --env-file")
	}
}

// The OS environment feeds interpolation by default (as in docker compose) and
// is ignored with --no-os-env.
func TestOSEnv(t *testing.T) {
	t.Setenv("ORDERSCOPE_TEST_API_TOKEN", "from-os")
	o := fixture("required-variable.yml")
	o.UseOSEnv = true
	if _, err := check(context.Background(), o); err != nil {
		t.Fatalf("with OS env: %v", err)
	}
	o.UseOSEnv = false
	if _, err := check(context.Background(), o); err == nil {
		t.Fatal("expected an error with the OS environment ignored")
	}
}

func TestRunExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-f", "testdata/valid.yml", "--no-os-env"}, &out, &errb); code != 0 {
		t.Fatalf("valid: exit %d, stderr: %s", code, errb.String())
	}
	if want := `OK (project "orderscope", 4 services: jaeger, mes-api, migrate, postgres)`; !strings.Contains(out.String(), want) {
		t.Errorf("summary %q does not contain %q", out.String(), want)
	}

	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"-f", "testdata/valid.yml", "--no-os-env", "--print"}, &out, &errb); code != 0 {
		t.Fatalf("--print: exit %d, stderr: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "name: orderscope\n") || !strings.Contains(out.String(), "condition: service_completed_successfully") {
		t.Errorf("--print output unexpected:\n%s", out.String())
	}

	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"-f", "testdata/unknown-key.yml", "--no-os-env"}, &out, &errb); code != 1 {
		t.Fatalf("invalid: exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "INVALID") {
		t.Errorf("stderr %q lacks INVALID", errb.String())
	}

	if code := run(context.Background(), []string{"-f", "testdata/does-not-exist.yml"}, &out, &errb); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if code := run(context.Background(), []string{"--bogus"}, &out, &errb); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMemoryBudget(t *testing.T) {
	cases := []struct {
		file   string
		maxMiB int
		want   string // substring of the error; "" for none
	}{
		{"memory.yml", 768, ""},
		{"memory.yml", 0, ""}, // no budget, no check
		{"memory.yml", 767, "the memory limits add up to 768 MiB, more than 767 MiB (--max-memory-mib): postgres 512, api 256"},
		{"valid.yml", 10000, "no deploy.resources.limits.memory: jaeger"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d", tc.file, tc.maxMiB), func(t *testing.T) {
			o := fixture(tc.file)
			o.MaxMemoryMiB = tc.maxMiB
			_, err := check(context.Background(), o)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v does not contain %q", err, tc.want)
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-f", "testdata/memory.yml", "--no-os-env", "--max-memory-mib", "2048"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := "memory limits of the 2 long-running services: 768 MiB (at most 2048): postgres 512, api 256"; !strings.Contains(out.String(), want) {
		t.Errorf("summary %q lacks %q", out.String(), want)
	}
}
