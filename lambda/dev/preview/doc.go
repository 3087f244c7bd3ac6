// Package preview builds a static gallery of every email cogmail sends: each
// tenant × language (and the pseudo-locale) × message, rendered through the
// handler's own path and gate with lambda/dev/check's sample user, shown light
// and dark side by side with its size and gate result; and every notice the
// notifier sends, as lambda/dev/check renders it, its text part beside. Build makes it,
// Gallery.Write puts it on disk, Server serves it and rebuilds it when the
// templates on disk change.
package preview
