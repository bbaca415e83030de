"""Media: the video (or audio) a transcript is about.

- :mod:`.ffmpeg`: which ffmpeg and ffprobe run, and why they failed in one line;
- :mod:`.probe`: what a media file holds (:class:`~subtitler.model.MediaInfo`);
- :mod:`.decode`: its audio as float32 arrays, streamed from ffmpeg through a pipe;
- :mod:`.lookup`: the local file of a transcript (by slug or PeerTube video id);
- :mod:`.fetched`: what a download may cost (:class:`DownloadLimits`) and what it gave;
- :mod:`.download`: a URL fetched into the cache, bounded, resumable, checked to be media;
- :mod:`.peertube`: for a PeerTube video, the smallest file with the audio its instance lists.
"""
