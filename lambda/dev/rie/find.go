// Finding the module root and the emulator binary.

package rie

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleRoot returns the directory holding go.mod, walking up from the
// working directory: tests run in their package directory and commands in
// whatever directory make was started from, and both need the module's
// .bin/ and events/.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if info, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && info.Mode().IsRegular() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root: no go.mod in the working directory or any directory above it")
		}
		dir = parent
	}
}

// Find returns the emulator binary: <moduleRoot>/.bin/aws-lambda-rie, which
// `make tools` installs at the version the project pins, else one on PATH.
// moduleRoot may be empty to look on PATH only.
func Find(moduleRoot string) (string, error) {
	var tried []string
	if moduleRoot != "" {
		local := filepath.Join(moduleRoot, ".bin", BinaryName)
		if isExecutableFile(local) {
			return local, nil
		}
		tried = append(tried, local)
	}
	if path, err := exec.LookPath(BinaryName); err == nil {
		return filepath.Abs(path)
	}
	tried = append(tried, "PATH")
	return "", fmt.Errorf("%s not found (looked in %s): run `make tools` to install it", BinaryName, strings.Join(tried, " and "))
}

func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
