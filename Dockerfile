# merino-go: a static binary on a distroless, non-root base.
# Build: docker build --build-arg VERSION=$(git describe --always) --build-arg COMMIT=$(git rev-parse HEAD) .

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG BUILD_URL=docker
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/merino ./cmd/merino \
 && printf '{"source":"https://github.com/mozilla-services/merino-go","version":"%s","commit":"%s","build":"%s"}\n' \
      "${VERSION}" "${COMMIT}" "${BUILD_URL}" > /out/version.json

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/merino /app/merino
COPY --from=build /out/version.json /app/version.json
# The bundled samples, so that MERINO_ENV=development works in the image too.
COPY --from=build /src/data /app/data
ENV MERINO_ENV=production
USER nonroot:nonroot
EXPOSE 8000 8001
ENTRYPOINT ["/app/merino"]
CMD ["serve"]
