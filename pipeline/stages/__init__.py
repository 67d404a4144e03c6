"""The build stages, each reading the previous stage's files: extract → parse → normalize → write
(build.py runs them all and puts the result in place; builddir.py owns the output folder)."""
