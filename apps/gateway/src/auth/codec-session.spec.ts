import { CODEC_SESSION_COOKIE, codecSessionToken } from './auth.guard';

describe("the codec session's cookie", () => {
  it('is found among other cookies, whatever their order and spacing', () => {
    expect(codecSessionToken(`a=1;${CODEC_SESSION_COOKIE}=eyJ.x.y; b=2`)).toBe('eyJ.x.y');
    expect(codecSessionToken(`  ${CODEC_SESSION_COOKIE}=t1`)).toBe('t1');
  });

  it('is absent without a Cookie header, with an empty value, or under a similar name', () => {
    expect(codecSessionToken(undefined)).toBeUndefined();
    expect(codecSessionToken(`${CODEC_SESSION_COOKIE}=`)).toBeUndefined();
    expect(
      codecSessionToken(`x${CODEC_SESSION_COOKIE}=t1; ${CODEC_SESSION_COOKIE}x=t2`),
    ).toBeUndefined();
  });
});
