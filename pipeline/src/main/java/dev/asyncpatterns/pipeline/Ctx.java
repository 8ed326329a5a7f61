package dev.asyncpatterns.pipeline;

/**
 * What a stage is built in: the run, the region whose drain will call it, and whether its
 * metrics are reported (stages of pipelines built per element, like concatMap's inner ones, are
 * not, so the metrics list stays bounded).
 */
record Ctx(Run<?> run, Region region, boolean tracked) {

    Ctx in(Region other) {
        return new Ctx(run, other, tracked);
    }

    Ctx untracked() {
        return new Ctx(run, region, false);
    }
}
