// The code finder against mails as providers and services send them: 2FA and sign-in mails in several formats
// and languages, codes inside links and HTML-only mails, and mails whose numbers are anything but a code.
import { describe, expect, it } from 'vitest';
import { findOneTimeCode, type CodeSource } from '../../../daemon/mail-content/one-time-code.ts';

interface Case {
  name: string;
  mail: Partial<CodeSource> & { subject: string };
  code: string | null;
  link?: string | null;
}

const CASES: Case[] = [
  {
    name: 'GitHub device verification',
    mail: {
      subject: '[GitHub] Please verify your device',
      text:
        'Hey octocat!\n\nA sign in attempt requires further verification because we did not recognize your device. ' +
        'To complete the sign in, enter the verification code on the unrecognized device.\n\nDevice: Chrome on macOS\n' +
        'Verification code: 482913\n\nIf you did not attempt to sign in to your account, your password may be compromised. ' +
        'Visit https://github.com/settings/security to create a new, strong password for your GitHub account.\n\n' +
        'Thanks,\nThe GitHub Team\n\nGitHub, Inc. 88 Colin P Kelly Jr Street, San Francisco, CA 94107',
    },
    code: '482913',
  },
  {
    name: 'Google, code in the subject with its G- prefix',
    mail: {
      subject: 'G-720415 is your Google verification code',
      text: 'Google\n\nVerify your email address\n\nUse this code to finish setting up your account: G-720415\n\nThis code will expire in 24 hours.',
    },
    code: '720415',
  },
  {
    name: 'Slack, letters and digits in two groups',
    mail: {
      subject: 'Slack confirmation code: ZXQ-4TR',
      text: 'Confirm your email address\n\nYour confirmation code is below — enter it in your open browser window and we\'ll help you get signed in.\n\nZXQ-4TR\n\nIf you didn\'t request this email, there\'s nothing to worry about — you can safely ignore it.',
    },
    code: 'ZXQ-4TR',
  },
  {
    name: 'Microsoft security code, four digits, amid a masked address',
    mail: {
      subject: 'Microsoft account security code',
      text:
        'Microsoft account\nSecurity code\n\nPlease use the following security code for the Microsoft account ad*****@example.com.\n\n' +
        'Security code: 7359\n\nIf you don\'t recognize the Microsoft account ad*****@example.com, you can click here to remove your email address from that account.\n\n' +
        'Thanks,\nThe Microsoft account team',
    },
    code: '7359',
  },
  {
    name: 'AWS, with the company address and zip code below',
    mail: {
      subject: 'AWS Notification - Account Verification',
      text:
        'Hello,\n\nTo verify your email address, please use the following code:\n\nVerification code: 318406\n\n' +
        'This code expires 10 minutes after it was sent.\n\nAmazon Web Services, Inc. is a subsidiary of Amazon.com, Inc. ' +
        'Amazon.com is a registered trademark of Amazon.com, Inc. This message was produced and distributed by ' +
        'Amazon Web Services Inc., 410 Terry Ave. North, Seattle, WA 98109-5210',
    },
    code: '318406',
  },
  {
    name: 'code first, word after: "482913 is your code"',
    mail: { subject: 'Your Acme login', text: '204981 is your Acme login code. It expires in 10 minutes. Never share it with anyone.' },
    code: '204981',
  },
  {
    name: 'German, with a date in the same mail',
    mail: {
      subject: 'Ihr Bestätigungscode',
      text: 'Hallo Anna,\n\nIhr Bestätigungscode lautet: 620184\n\nDer Code ist 10 Minuten gültig. Angefordert am 14.03.2025 um 10:32 Uhr.\n\nIhr Team von Beispiel GmbH, Musterstraße 12, 10115 Berlin',
    },
    code: '620184',
  },
  {
    name: 'French, digits in two groups',
    mail: {
      subject: 'Votre code de vérification',
      text: 'Bonjour,\n\nVotre code de vérification est : 551 203\n\nCe code expire dans 15 minutes. Si vous n\'êtes pas à l\'origine de cette demande, ignorez ce message.',
    },
    code: '551203',
  },
  {
    name: 'Spanish',
    mail: { subject: 'Código de acceso', text: 'Hola,\n\nTu código de acceso es 883920. Caduca en 5 minutos.\n\nGracias,\nEl equipo' },
    code: '883920',
  },
  {
    name: 'Portuguese',
    mail: { subject: 'Confirme seu e-mail', text: 'Olá!\n\nSeu código de verificação é 310775.\n\nSe você não solicitou, ignore este e-mail.' },
    code: '310775',
  },
  {
    name: 'Italian',
    mail: { subject: 'Codice di verifica', text: 'Ciao,\nil tuo codice di verifica è 204981. Scade tra 10 minuti.' },
    code: '204981',
  },
  {
    name: 'Russian',
    mail: { subject: 'Подтверждение входа', text: 'Здравствуйте!\n\nВаш код подтверждения: 583021\n\nНикому не сообщайте этот код.' },
    code: '583021',
  },
  {
    name: 'Japanese, full-width colon',
    mail: { subject: '【Example】認証コードのお知らせ', text: 'ログインするには、以下の認証コードを入力してください。\n認証コード：482019\n有効期限は10分です。' },
    code: '482019',
  },
  {
    name: 'Chinese, no space around the code',
    mail: { subject: '验证码', text: '您的验证码是384756，5分钟内有效。请勿泄露给他人。' },
    code: '384756',
  },
  {
    name: 'Korean',
    mail: { subject: '[Example] 인증번호 안내', text: '인증번호 [927361]를 입력해 주세요. 인증번호는 3분간 유효합니다.' },
    code: '927361',
  },
  {
    name: 'Dutch, with the account id and a reference on other lines',
    mail: {
      subject: 'Je verificatiecode',
      text: 'Hallo,\n\nAccount-ID: 58213904\nReferentie: REF-4471\n\nJe verificatiecode is 482012.\n\nDeze code is 10 minuten geldig.',
    },
    code: '482012',
  },
  {
    name: 'a password reset link, named only by its text in the HTML',
    mail: {
      subject: 'Reset your password',
      text: null,
      html:
        '<p>We received a request to reset your password.</p>' +
        '<p><a href="https://links.example.com/c/eyJ1IjoiaHR0cHM6Ly9leGFtcGxlLmNvbSJ9">Confirm and choose a new password</a></p>' +
        '<p><a href="https://example.com/help">Help center</a></p>',
    },
    code: null,
    link: 'https://links.example.com/c/eyJ1IjoiaHR0cHM6Ly9leGFtcGxlLmNvbSJ9',
  },
  {
    name: 'a one-time passcode beside a phone number',
    mail: {
      subject: 'Your sign-in request',
      text: 'Your one-time passcode is 90412.\n\nIf this wasn\'t you, call us at +1 (800) 555-0199 or 0800 123 4567 right away.',
    },
    code: '90412',
  },
  {
    name: 'dates and times before the code',
    mail: {
      subject: 'Security alert',
      text: 'On March 14, 2025 at 10:32 UTC (2025-03-14T10:32:00Z), someone requested a login code for your account.\nYour login code: 661043',
    },
    code: '661043',
  },
  {
    name: 'a code inside the verification link',
    mail: {
      subject: 'Confirm your email',
      text: 'Welcome aboard! Confirm your address by opening this link:\nhttps://app.example.com/verify?email=ana%40example.com&code=839201\n\nThe link works for 30 minutes.',
    },
    code: '839201',
    link: 'https://app.example.com/verify?email=ana%40example.com&code=839201',
  },
  {
    name: 'a magic sign-in link and no code',
    mail: {
      subject: 'Your Linear login link',
      text:
        'Click the link below to log in to Linear. This link expires in 10 minutes and can only be used once.\n\n' +
        'https://linear.app/auth/magic-link?token=b7d1c0e9a4f24c5e8b7f0a1d2c3e4f5a\n\n' +
        'Unsubscribe: https://linear.app/settings/unsubscribe?u=8841',
    },
    code: null,
    link: 'https://linear.app/auth/magic-link?token=b7d1c0e9a4f24c5e8b7f0a1d2c3e4f5a',
  },
  {
    name: 'HTML only: a letter-spaced code box and a tracked button',
    mail: {
      subject: 'Verify your email',
      text: null,
      html:
        '<html><head><style>.code{letter-spacing:8px}</style><title>Verify 000000</title></head><body>' +
        '<div style="display:none;max-height:0">Your order 12345678 has shipped</div>' +
        '<table><tr><td><h1>Verify your email</h1></td></tr>' +
        '<tr><td><p>Enter this code in the app:</p></td></tr>' +
        '<tr><td class="code" style="font-size:32px">5 8 2 9 1 3</td></tr>' +
        '<tr><td><a href="https://click.mailer.example.net/ls/click?upn=q9ZtE2Lx">Verify email address</a></td></tr>' +
        '<tr><td><a href="https://example.com/unsubscribe">Unsubscribe</a> &middot; <a href="https://example.com/privacy">Privacy</a></td></tr>' +
        '</table><p>&copy; 2025 Example, Inc.</p></body></html>',
    },
    code: '582913',
    link: 'https://click.mailer.example.net/ls/click?upn=q9ZtE2Lx',
  },
  {
    name: 'HTML with entities and a code in bold',
    mail: {
      subject: 'Sign in to Example',
      text: '',
      html: '<p>Here&rsquo;s your sign&#8209;in code:</p><p><strong>ABCD-7291</strong></p><p>It expires in 10&nbsp;minutes.</p>',
    },
    code: 'ABCD-7291',
  },
  {
    name: 'letters and digits alone on their line',
    mail: { subject: 'Your verification code', text: 'Use the code below to verify your new device.\n\n7HK2QX\n\nThis code expires in 15 minutes.' },
    code: '7HK2QX',
  },
  {
    name: 'decoy: an order confirmation with amounts, dates and an order number',
    mail: {
      subject: 'Order #100234 confirmed',
      text:
        'Thanks for your order!\n\nOrder number: 48213977\nPlaced on 2025-03-14\nTotal: $1,249.00 (USD 1249)\n' +
        'Shipping to: 1600 Amphitheatre Parkway, Mountain View, CA 94043\nQuestions? Call 1-800-555-0199.',
    },
    code: null,
    link: null,
  },
  {
    name: 'decoy: a promo code and a zip code',
    mail: {
      subject: 'Spring sale: 20% off',
      text: 'Use promo code SPRING25 at checkout. Free shipping to ZIP code 94107.\nOffer ends 2025-04-30. Prices from 1999 kr.',
    },
    code: null,
  },
  {
    name: 'decoy: a booking confirmation number',
    mail: {
      subject: 'Your booking is confirmed',
      text: 'Your booking confirmation number is 48213977.\nCheck-in: 12 May 2025, 15:00\nTotal paid: 1.249,00 €',
    },
    code: null,
  },
  {
    name: 'decoy: an invoice with a year and an amount in euros',
    mail: {
      subject: 'Rechnung 2025-0042',
      text: 'Sehr geehrte Damen und Herren,\n\nanbei Ihre Rechnung Nr. 20250042 vom 03.02.2025 über 1249 EUR.\n\nMit freundlichen Grüßen\n2025',
    },
    code: null,
  },
  {
    name: 'decoy: a shipping notice with a tracking number and a phone number',
    mail: {
      subject: 'Your package is on its way',
      text:
        'Tracking number: 1Z999AA10123456784\nEstimated delivery: Fri, 16 May 2025\nOrder #5521980\n' +
        'Need help? Call 0800 123 4567 (Mon-Fri 9:00-17:00).\n\nTo change your delivery, sign in: https://shop.example.com/account',
    },
    code: null,
  },
  {
    name: 'decoy: a newsletter with a year and a phone number but no code word',
    mail: {
      subject: 'What\'s new in March',
      text: 'Our 2025 roadmap is here.\n\n482913 people joined this month!\nQuestions: +44 20 7946 0958\n\n© 2025 Example Ltd, 1 Main Street, London',
    },
    code: null,
  },
];

describe('findOneTimeCode', () => {
  it.each(CASES)('$name', ({ mail, code, link }) => {
    const found = findOneTimeCode({ text: null, html: null, ...mail });
    expect(found.code).toBe(code);
    if (link !== undefined) expect(found.link).toBe(link);
  });

  it('reads the HTML part when the text part has no code', () => {
    const found = findOneTimeCode({
      subject: 'Your code',
      text: 'Open this mail in an HTML viewer.',
      html: '<p>Your verification code is <b>4417</b>.</p>',
    });
    expect(found.code).toBe('4417');
  });
});
