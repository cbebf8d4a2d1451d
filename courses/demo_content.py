"""Demo catalog as plain data: the empathy course (English and Brazilian Portuguese) and a few
short public courses in other categories, so the catalog, filters and related courses have variety.

The empathy course takes its ideas from the article the product grew from; every sentence here is
our own. Video URLs are placeholders. ``ebook_pdf`` builds the handbook PDFs the ebook lessons use.
Loading this into the database is ``courses.demo``'s job; nothing here touches models.
"""
from __future__ import annotations

import io
from inspect import cleandoc

from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

EMPATHY_SLUG_EN = "power-of-empathy-customer-service"
EMPATHY_SLUG_PT = "poder-da-empatia-no-atendimento"


def _md(text: str) -> str:
    return cleandoc(text) + "\n"


def _lesson(title: str, lesson: dict, *, required: bool = True, weight: int = 1) -> dict:
    return {"kind": "lesson", "title": title, "required": required, "weight": weight, "lesson": lesson}


def _article(title: str, body: str, *, required: bool = True) -> dict:
    return _lesson(title, {"type": "article", "body": _md(body)}, required=required)


def _video(title: str, url: str, seconds: int, transcript: str, *, required: bool = True) -> dict:
    return _lesson(
        title, {"type": "video", "url": url, "duration_seconds": seconds, "transcript": _md(transcript)},
        required=required,
    )


def _ebook(title: str, key: str, *, required: bool = False) -> dict:
    return _lesson(title, {"type": "ebook", "ebook": key}, required=required)


# --- The Power of Empathy in Customer Service (en) ---------------------------------------------

_EN_UNDERSTANDING = """
    Picture two replies to a customer whose order arrived broken the day before a birthday.
    The first says: "We apologise for any inconvenience. A replacement has been requested."
    The second says: "Oh no, and with the party tomorrow. Let's fix this today: I can send a
    replacement by express courier, or refund you right now so you can buy one locally. Which
    helps more?" Both solve the problem on paper. Only one shows that someone actually listened.

    ## What empathy is at the service desk

    Empathy is the skill of grasping what another person is going through and letting that
    understanding shape what you say and do next. In service work it has three moving parts:

    1. **Noticing** the feeling behind the request: worry, embarrassment, irritation, relief.
    2. **Understanding** why it makes sense from where the customer stands, even when the facts
       are on your side.
    3. **Responding** in a way that shows that understanding and moves the problem forward.

    You do not have to share the customer's feeling or agree with every word. You have to show
    that you see it, and let it guide the fix.

    ## Sympathy is not the same thing

    Sympathy looks at the customer from a distance: "Sorry to hear that." Empathy steps next to
    them: "A double charge right before rent is due is stressful. Let me check both payments with
    you now." Sympathy can sound polite and still leave people feeling processed.

    | Aspect | Sympathy | Empathy |
    |:--|:--|:--|
    | Stance | Feels sorry for the customer | Works to understand the customer |
    | Typical phrase | "Sorry for the inconvenience." | "That must have wrecked your morning." |
    | Effect | Polite distance | Trust and a shared plan |

    ## Reading the cues

    Customers rarely announce their feelings, but they leave signals everywhere:

    - **Words**: "again", "still", "third time" point to frustration that has been building.
    - **Tone and pace** on the phone: speech that speeds up, clipped answers, long sighs.
    - **Writing** in chat and email: capital letters, many question marks, very short replies
      after long ones.
    - **What is at stake**: a wedding, a deadline, a medical appointment, a first purchase.
    - **Silence**: a customer who stops answering may be confused, not satisfied.

    When you spot a cue, name it lightly and check: "It sounds like this has already taken up a
    lot of your week, is that right?" Naming a feeling correctly calms people; guessing wrong is
    easily repaired when you asked rather than declared.

    ## A simple habit to start with

    Before you type or say the solution, write one sentence that reflects the customer's
    situation back to them. It takes ten seconds and it changes how the rest of the conversation
    lands.

    ### Quick check

    - In your own words, what separates sympathy from empathy?
    - Name three cues in a chat message that suggest a customer is losing patience.
    - Rewrite "We apologise for any inconvenience" so it shows you understood a specific situation.
"""

_EN_UNDERSTANDING_VIDEO = """
    **[Scene: a support desk, a headset on the table.]**

    Hi, I'm Ana, and I've worked on support teams for twelve years. Today we're looking at one
    small gap: the space between feeling sorry for a customer and understanding them.

    Listen to this call. The customer says: "I've explained this twice already." The agent
    answers: "I'm sorry to hear that, can I have your account number?" Polite, yes. But the
    customer just told us something important, and we skipped over it.

    Let's replay it. "You've already explained this twice, that's frustrating, and I don't want
    you to have to do it a third time. I have your notes from the last call in front of me, so
    let me confirm the part that's still open."

    Notice three things. We repeated the customer's own words. We named the feeling without
    drama. And we made a promise we can keep.

    Your exercise: for your next five conversations, write down the first cue you notice, a word,
    a tone, a deadline, before you look anything up. You'll be surprised how much you already
    hear when you start paying attention.
"""

_EN_BENEFITS = """
    Empathy is sometimes treated as a nice extra, something to add once the queue is under
    control. In practice it is one of the things that keeps the queue under control. Here are
    four returns a team can expect when customers feel understood.

    ## 1. Loyalty that survives a bad day

    Every company makes mistakes: late deliveries, billing errors, outages. Customers know this.
    What they remember is how the mistake was handled. A customer who felt heard during a problem
    often trusts the brand more than one who never had a problem at all, because they have seen
    what happens when something goes wrong. Empathy turns a complaint into proof that you can be
    relied upon.

    ## 2. De-escalation and better fixes

    Angry customers are usually frightened or exhausted customers. While they feel ignored, they
    repeat themselves, raise their voice and reject offers before hearing them. Acknowledging the
    feeling first lowers the temperature, and a calmer customer gives you better information.
    Understanding *why* someone is calling also helps you choose the right fix: the customer with
    a broken laptop the night before an exam needs a loan device or a quick workaround more than
    a perfect repair in ten days.

    ## 3. Reputation

    People tell friends about service experiences, and many of them write reviews. Reviews that
    praise a company rarely mention policy; they mention a person: "Rafael stayed on the line
    until my card worked." Each empathetic conversation is a small piece of marketing that money
    cannot buy, and each cold one can travel just as far in the other direction.

    ## 4. Team morale

    Empathy is not only for customers. Agents who feel understood by their leads handle hard calls
    better, and agents who are allowed to solve problems as people, rather than read scripts, find
    the work more meaningful. Teams that practise empathy with each other carry hard shifts
    together more easily, and they welcome new colleagues more patiently.

    ## How to tell it is working

    Look beyond speed. Useful signals include fewer repeat contacts on the same issue, fewer
    escalations to a supervisor, satisfaction comments that mention being listened to, and review
    scores on empathy in role-play exercises going up over time.

    ### Quick check

    - Why might a customer who had a problem become more loyal than one who never had one?
    - A customer shouts that your product ruined their presentation. What do you say first, and why?
    - Name two figures, other than handling time, that show empathy is paying off.
"""

_EN_BENEFITS_VIDEO = """
    **[Scene: two agents at a desk, replaying a recorded call.]**

    This is a real pattern with invented details. A customer calls because a sofa delivery did
    not arrive. She took the day off work to wait for it. Her first sentence is loud.

    Version one: the agent quotes the delivery window in the terms and conditions. The customer
    gets louder. The call ends with a complaint to a supervisor.

    Version two: the agent says, "You took a day off for this and nobody came. I'd be upset too.
    Let me find out where the van is right now." Then she does exactly that, and books a new
    slot on the customer's next free evening.

    Same policy, same company, same sofa. The difference is the first thirty seconds. In version
    two the customer stops fighting for attention, because she already has it, and starts helping
    to solve the problem.

    When you listen to your own recordings, mark the moment the temperature drops. It almost
    always follows a sentence where the customer felt understood.
"""

_EN_TEAM = """
    Empathy is a skill, and skills grow with practice, feedback and good examples. Here is how a
    team lead can build it on purpose instead of hoping it appears.

    ## Active listening as the default

    Active listening means giving your full attention and proving it. Teach four moves:

    - **Let them finish.** Resist the urge to jump to the fix at the first keyword.
    - **Reflect.** Repeat the key facts and the feeling in your own words.
    - **Ask open questions.** "What happened after you restarted it?" beats "Did you restart it?"
    - **Summarise before acting.** "So the refund arrived but the points didn't, and you need them
      before Friday. Right?"

    ## Regular, short training

    A single workshop fades within weeks. Short sessions every two weeks work better: twenty
    minutes on one skill, such as naming emotions accurately, handling silence on the phone, or
    softening a "no". Use your own anonymised tickets as material, because real cases stick.

    ## Role-play scenarios

    Role-play lets people practise hard conversations where mistakes cost nothing. Work in threes:
    a customer, an agent and an observer with a simple rubric (did the agent acknowledge the
    feeling, check understanding, offer a clear next step?). Rotate roles. Playing the customer is
    often the most eye-opening part, because people feel how a scripted answer lands.

    ## Feedback from peers and supervisors

    Give feedback on specific moments, not on personality: "When you said 'I can see why that
    worried you', her tone changed" is useful; "be more empathetic" is not. Peer reviews of
    recorded calls, done kindly, spread good phrases across the team quickly.

    ## Leading by example

    Agents treat customers the way they are treated. Leads who listen before judging, who ask how
    a difficult shift went, and who admit their own mistakes set the tone more than any training
    deck. If a lead interrupts agents, agents will interrupt customers.

    ## Measuring it without killing it

    Measure empathy alongside speed, not instead of it. Combine customer comments, repeat-contact
    rates, rubric scores from role-plays and a short self-assessment at the start and end of a
    course. Share the figures with the team as a picture of growth, never as a ranking.

    ### Quick check

    - Which of the four active listening moves do you skip most often under pressure?
    - Sketch a rubric with three criteria for an observer in a role-play.
    - Why can a lead's behaviour towards agents matter more than a training session?
"""

_EN_TEAM_VIDEO = """
    **[Scene: three colleagues around a table, one holding a printed rubric.]**

    Let's run a role-play together. Paulo plays a customer whose internet has been down for two
    days; he works from home. Mei is the agent. Jo observes with the rubric.

    Paulo opens: "Two days! I'm losing money here." Mei starts with the fix: "Have you tried
    restarting the router?" Jo writes a note: the feeling was not acknowledged.

    We reset. Mei tries again: "Two days without internet when you work from home, that's serious.
    I'm going to check the line in your street right now, and I'll also see if we can get you a
    mobile data top-up today so you can keep working."

    Jo's rubric: feeling acknowledged, yes. Understanding checked, partly: Mei could have asked
    what deadline Paulo has. Clear next step, yes.

    Then everyone swaps. Five minutes per round, three rounds, one short debrief. That's a full
    empathy practice in under twenty minutes, and it works best when it happens every week.
"""

# --- O poder da empatia no atendimento (pt-BR) -------------------------------------------------

_PT_UNDERSTANDING = """
    Imagine duas respostas para uma cliente cujo pedido chegou quebrado na véspera de um
    aniversário. A primeira diz: "Lamentamos o transtorno. A substituição foi solicitada."
    A segunda diz: "Poxa, e logo com a festa amanhã. Vamos resolver isso hoje: posso mandar
    outro por entrega expressa ou fazer o reembolso agora, para você comprar um aí perto.
    O que ajuda mais?" No papel, as duas resolvem. Só uma mostra que alguém de fato escutou.

    ## O que é empatia no atendimento

    Empatia é a capacidade de perceber o que a outra pessoa está vivendo e deixar que essa
    compreensão oriente o que você diz e faz em seguida. No atendimento, ela tem três partes:

    1. **Perceber** o sentimento por trás do pedido: preocupação, vergonha, irritação, alívio.
    2. **Compreender** por que aquilo faz sentido do ponto de vista do cliente, mesmo quando os
       fatos estão do seu lado.
    3. **Responder** de um jeito que mostre essa compreensão e faça o problema andar.

    Você não precisa sentir o mesmo que o cliente nem concordar com tudo. Precisa mostrar que
    enxergou o que ele sente e usar isso para chegar à solução.

    ## Simpatia não é a mesma coisa

    A simpatia olha o cliente de longe: "Sinto muito por isso." A empatia se coloca ao lado dele:
    "Uma cobrança em dobro bem na semana do aluguel é muito estressante. Vamos conferir os dois
    pagamentos juntos agora." A simpatia pode soar educada e, mesmo assim, deixar a pessoa se
    sentindo só mais um número.

    | Aspecto | Simpatia | Empatia |
    |:--|:--|:--|
    | Postura | Sente pena do cliente | Busca entender o cliente |
    | Frase típica | "Lamentamos o transtorno." | "Isso deve ter estragado a sua manhã." |
    | Efeito | Distância educada | Confiança e um plano em comum |

    ## Lendo os sinais

    Os clientes raramente anunciam o que sentem, mas deixam pistas o tempo todo:

    - **Palavras**: "de novo", "ainda", "pela terceira vez" indicam uma frustração acumulada.
    - **Tom e ritmo** ao telefone: fala acelerada, respostas secas, suspiros longos.
    - **Escrita** no chat e no e-mail: letras maiúsculas, muitos pontos de interrogação,
      respostas curtíssimas depois de mensagens longas.
    - **O que está em jogo**: um casamento, um prazo, uma consulta médica, a primeira compra.
    - **Silêncio**: o cliente que para de responder pode estar confuso, e não satisfeito.

    Quando notar um sinal, nomeie com leveza e confirme: "Parece que isso já tomou boa parte da
    sua semana, é isso?" Acertar o nome do sentimento acalma; errar é fácil de corrigir quando
    você perguntou em vez de afirmar.

    ## Um hábito simples para começar

    Antes de digitar ou falar a solução, escreva uma frase que devolva ao cliente a situação dele.
    Leva dez segundos e muda o jeito como todo o resto da conversa é recebido.

    ### Verificação rápida

    - Com suas palavras, o que diferencia simpatia de empatia?
    - Cite três sinais numa mensagem de chat que indicam que o cliente está perdendo a paciência.
    - Reescreva "Lamentamos o transtorno" de modo que mostre que você entendeu uma situação concreta.
"""

_PT_UNDERSTANDING_VIDEO = """
    **[Cena: uma mesa de atendimento, um headset sobre a mesa.]**

    Oi, eu sou a Ana e trabalho com atendimento há doze anos. Hoje vamos olhar para uma
    diferença pequena: o espaço entre sentir pena do cliente e entender o cliente.

    Ouça esta ligação. O cliente diz: "Eu já expliquei isso duas vezes." O atendente responde:
    "Sinto muito, pode me passar o número da sua conta?" Educado, sim. Mas o cliente acabou de
    dizer algo importante, e a gente passou por cima.

    Vamos repetir. "Você já explicou isso duas vezes, que chato, e eu não quero que precise
    explicar uma terceira. Estou com as anotações da última ligação aqui, então deixa eu só
    confirmar a parte que ainda está pendente."

    Repare em três coisas. Usamos as palavras do próprio cliente. Nomeamos o sentimento sem
    exagero. E fizemos uma promessa que dá para cumprir.

    Seu exercício: nas próximas cinco conversas, anote o primeiro sinal que você perceber, uma
    palavra, um tom, um prazo, antes de consultar qualquer sistema. Você vai se surpreender com
    o quanto já escuta quando começa a prestar atenção.
"""

_PT_BENEFITS = """
    Às vezes a empatia é tratada como um extra simpático, algo para depois que a fila estiver sob
    controle. Na prática, ela é uma das coisas que mantêm a fila sob controle. Veja quatro
    retornos que uma equipe pode esperar quando os clientes se sentem compreendidos.

    ## 1. Fidelidade que sobrevive a um dia ruim

    Toda empresa erra: entregas atrasadas, cobranças indevidas, sistemas fora do ar. Os clientes
    sabem disso. O que eles guardam é a forma como o erro foi tratado. Um cliente que se sentiu
    ouvido durante um problema muitas vezes confia mais na marca do que outro que nunca teve
    problema nenhum, porque viu o que acontece quando algo dá errado. A empatia transforma uma
    reclamação em prova de que dá para contar com você.

    ## 2. Menos escalonamento e soluções melhores

    Cliente bravo costuma ser cliente assustado ou exausto. Enquanto se sente ignorado, ele se
    repete, aumenta o tom e recusa propostas antes de ouvi-las. Reconhecer o sentimento primeiro
    baixa a temperatura, e um cliente mais calmo passa informações melhores. Entender *por que*
    a pessoa está ligando também ajuda a escolher a solução certa: quem está com o notebook
    quebrado na véspera de uma prova precisa de um aparelho emprestado ou de um contorno rápido,
    e não de um conserto perfeito em dez dias.

    ## 3. Reputação

    As pessoas contam aos amigos como foram atendidas, e muitas escrevem avaliações. Elogios
    raramente falam de política da empresa; falam de uma pessoa: "O Rafael ficou na linha até o
    meu cartão funcionar." Cada conversa empática é um pedaço de propaganda que dinheiro nenhum
    compra, e cada conversa fria pode ir tão longe quanto, na direção contrária.

    ## 4. Clima da equipe

    A empatia não é só para os clientes. Atendentes que se sentem compreendidos pela liderança
    lidam melhor com ligações difíceis, e atendentes que podem resolver problemas como pessoas, e
    não como leitores de roteiro, acham o trabalho mais significativo. Equipes que praticam
    empatia entre si atravessam turnos difíceis com mais facilidade e têm mais paciência para
    receber quem está chegando.

    ## Como saber se está funcionando

    Olhe além da velocidade. Bons sinais são menos contatos repetidos sobre o mesmo assunto,
    menos escalonamentos para a supervisão, comentários de satisfação que falam em "fui ouvido" e
    notas de empatia nos exercícios de role-play subindo ao longo do tempo.

    ### Verificação rápida

    - Por que um cliente que teve um problema pode ficar mais fiel do que um que nunca teve?
    - Um cliente grita que o seu produto arruinou a apresentação dele. O que você diz primeiro, e por quê?
    - Cite dois indicadores, além do tempo de atendimento, que mostram que a empatia está dando resultado.
"""

_PT_BENEFITS_VIDEO = """
    **[Cena: duas atendentes diante de um computador, ouvindo uma ligação gravada.]**

    Este é um padrão real com detalhes inventados. Uma cliente liga porque o sofá não foi
    entregue. Ela tirou o dia de folga para esperar. A primeira frase dela já vem alta.

    Versão um: a atendente cita o prazo de entrega previsto no contrato. A cliente se exalta
    ainda mais. A ligação termina com uma reclamação para a supervisão.

    Versão dois: a atendente diz: "Você tirou o dia de folga para isso e ninguém apareceu. Eu
    também ficaria chateada. Vou descobrir agora onde está o caminhão." E faz exatamente isso,
    marcando uma nova entrega no próximo fim de tarde livre da cliente.

    Mesma política, mesma empresa, mesmo sofá. A diferença está nos primeiros trinta segundos.
    Na versão dois a cliente para de brigar por atenção, porque já tem atenção, e começa a
    ajudar a resolver.

    Quando ouvir as suas gravações, marque o momento em que a temperatura cai. Quase sempre ele
    vem logo depois de uma frase em que o cliente se sentiu compreendido.
"""

_PT_TEAM = """
    Empatia é uma habilidade, e habilidades crescem com prática, retorno e bons exemplos. Veja
    como uma liderança pode desenvolvê-la de propósito, em vez de torcer para que apareça.

    ## Escuta ativa como padrão

    Escuta ativa é dar atenção total e demonstrar isso. Ensine quatro movimentos:

    - **Deixe a pessoa terminar.** Segure a vontade de pular para a solução na primeira palavra-chave.
    - **Devolva.** Repita os fatos principais e o sentimento com suas palavras.
    - **Faça perguntas abertas.** "O que aconteceu depois que você reiniciou?" rende mais do que
      "Você reiniciou?"
    - **Resuma antes de agir.** "Então o reembolso caiu, mas os pontos não, e você precisa deles
      até sexta. Certo?"

    ## Treinos curtos e frequentes

    Um único workshop se perde em poucas semanas. Sessões curtas a cada quinze dias funcionam
    melhor: vinte minutos sobre uma habilidade só, como nomear emoções com precisão, lidar com o
    silêncio ao telefone ou suavizar um "não". Use chamados reais da equipe, sem dados pessoais,
    como material, porque casos de verdade ficam na memória.

    ## Simulações de atendimento (role-play)

    O role-play permite treinar conversas difíceis onde errar não custa nada. Trabalhe em trios:
    um cliente, um atendente e um observador com uma rubrica simples (o atendente reconheceu o
    sentimento, confirmou o entendimento, ofereceu um próximo passo claro?). Revezem os papéis.
    Fazer o papel do cliente costuma ser a parte mais reveladora, porque a pessoa sente na pele
    como uma resposta pronta soa.

    ## Retorno de colegas e da supervisão

    Dê retorno sobre momentos específicos, não sobre a personalidade: "Quando você disse 'entendo
    por que isso te preocupou', o tom dela mudou" ajuda; "seja mais empático" não ajuda. Revisões
    de ligações gravadas entre colegas, feitas com cuidado, espalham boas frases pela equipe
    rapidamente.

    ## Liderar pelo exemplo

    Os atendentes tratam os clientes do jeito que são tratados. Lideranças que escutam antes de
    julgar, que perguntam como foi um turno difícil e que admitem os próprios erros dão o tom mais
    do que qualquer apresentação de treinamento. Se a liderança interrompe a equipe, a equipe vai
    interromper os clientes.

    ## Medir sem sufocar

    Meça a empatia junto com a velocidade, não no lugar dela. Combine comentários dos clientes,
    taxa de contatos repetidos, notas de rubrica nos role-plays e uma autoavaliação curta no
    começo e no fim do curso. Compartilhe os números com a equipe como retrato de evolução,
    nunca como ranking.

    ### Verificação rápida

    - Qual dos quatro movimentos da escuta ativa você mais pula quando está sob pressão?
    - Esboce uma rubrica com três critérios para o observador de um role-play.
    - Por que o comportamento da liderança com a equipe pode pesar mais do que um treinamento?
"""

_PT_TEAM_VIDEO = """
    **[Cena: três colegas em volta de uma mesa, um deles segurando uma rubrica impressa.]**

    Vamos fazer um role-play juntos. O Paulo faz o papel de um cliente que está sem internet há
    dois dias e trabalha de casa. A Mei é a atendente. A Jô observa com a rubrica.

    O Paulo abre: "Dois dias! Estou perdendo dinheiro." A Mei começa pela solução: "Você já
    tentou reiniciar o roteador?" A Jô anota: o sentimento não foi reconhecido.

    Recomeçamos. A Mei tenta de novo: "Dois dias sem internet trabalhando de casa, isso é sério.
    Vou verificar agora a linha na sua rua e também ver se conseguimos liberar um pacote de dados
    móveis hoje, para você continuar trabalhando."

    A rubrica da Jô: sentimento reconhecido, sim. Entendimento confirmado, em parte: a Mei poderia
    ter perguntado qual prazo o Paulo tem. Próximo passo claro, sim.

    Depois todo mundo troca de papel. Cinco minutos por rodada, três rodadas, uma conversa curta
    no final. Um treino completo de empatia em menos de vinte minutos, e ele funciona melhor
    quando acontece toda semana.
"""

_EMPATHY_EN = {
    "slug": EMPATHY_SLUG_EN,
    "language": "en",
    "translation_of": None,
    "title": "The Power of Empathy in Customer Service",
    "summary": (
        "Learn to notice what customers feel, respond in a way that shows you understood, and build "
        "a support team where empathy is practised every week."
    ),
    "description": _md("""
        Customers forget scripts; they remember whether someone listened. This course shows what
        empathy looks like in real service conversations, by phone, chat and email, and why it
        pays off for customers, companies and the people answering the queue.

        **You will learn to**

        - tell empathy apart from sympathy and spot emotional cues in speech and writing;
        - explain how empathy builds loyalty, calms escalations, protects reputation and lifts morale;
        - grow empathy in a team through active listening, short training, role-play, feedback
          and leading by example, and measure progress without turning it into a ranking.

        Three short modules with articles, videos and a downloadable handbook. Plan about two hours.
    """),
    "category": "customer-service",
    "tags": ["empathy", "communication", "customer-service"],
    "hours_credited": 2,
    "passing_score": 70,
    "validity_months": 24,
    "due_days": 30,
    "modules": [
        {"title": "Understanding empathy", "activities": [
            _article("What empathy means at the service desk", _EN_UNDERSTANDING),
            _video("Sympathy, empathy and the space between", "https://www.youtube.com/watch?v=EmpathyDem1",
                   360, _EN_UNDERSTANDING_VIDEO),
        ]},
        {"title": "Why empathy pays off", "activities": [
            _article("Four returns on empathy", _EN_BENEFITS),
            _video("De-escalating a missed delivery", "https://www.youtube.com/watch?v=EmpathyDem2",
                   300, _EN_BENEFITS_VIDEO),
        ]},
        {"title": "Cultivating empathy in your team", "activities": [
            _article("Building an empathetic team", _EN_TEAM),
            _video("A role-play, step by step", "https://www.youtube.com/watch?v=EmpathyDem3",
                   420, _EN_TEAM_VIDEO),
            _ebook("The Empathy at Work handbook", "empathy-handbook-en"),
        ]},
    ],
}

_EMPATHY_PT = {
    "slug": EMPATHY_SLUG_PT,
    "language": "pt-BR",
    "translation_of": EMPATHY_SLUG_EN,
    "title": "O poder da empatia no atendimento ao cliente",
    "summary": (
        "Aprenda a perceber o que o cliente sente, responder de um jeito que mostre que você entendeu "
        "e formar uma equipe de atendimento que pratica empatia toda semana."
    ),
    "description": _md("""
        Clientes esquecem roteiros; lembram se alguém os escutou. Este curso mostra como a empatia
        aparece em conversas reais de atendimento, por telefone, chat e e-mail, e por que ela traz
        resultado para os clientes, para a empresa e para quem está atendendo a fila.

        **Você vai aprender a**

        - diferenciar empatia de simpatia e perceber sinais emocionais na fala e na escrita;
        - explicar como a empatia gera fidelidade, acalma conflitos, protege a reputação e melhora
          o clima da equipe;
        - desenvolver empatia na equipe com escuta ativa, treinos curtos, role-play, retorno e
          exemplo da liderança, e medir a evolução sem transformar isso em ranking.

        Três módulos curtos com artigos, vídeos e um manual para baixar. Reserve cerca de duas horas.
    """),
    "category": "customer-service",
    "tags": ["empathy", "communication", "customer-service"],
    "hours_credited": 2,
    "passing_score": 70,
    "validity_months": 24,
    "due_days": 30,
    "modules": [
        {"title": "Entendendo a empatia", "activities": [
            _article("O que é empatia no atendimento", _PT_UNDERSTANDING),
            _video("Simpatia, empatia e o espaço entre elas", "https://www.youtube.com/watch?v=EmpathyDem4",
                   360, _PT_UNDERSTANDING_VIDEO),
        ]},
        {"title": "Por que a empatia vale a pena", "activities": [
            _article("Quatro retornos da empatia", _PT_BENEFITS),
            _video("Acalmando uma entrega que não chegou", "https://www.youtube.com/watch?v=EmpathyDem5",
                   300, _PT_BENEFITS_VIDEO),
        ]},
        {"title": "Cultivando a empatia na equipe", "activities": [
            _article("Como formar uma equipe empática", _PT_TEAM),
            _video("Um role-play, passo a passo", "https://www.youtube.com/watch?v=EmpathyDem6",
                   420, _PT_TEAM_VIDEO),
            _ebook("Manual Empatia no Trabalho", "empathy-handbook-pt-br"),
        ]},
    ],
}

# --- Short public courses in other categories --------------------------------------------------


def _short_course(*, slug: str, language: str, title: str, summary: str, description: str, category: str,
                  tags: list[str], hours: int, modules: list[dict]) -> dict:
    return {
        "slug": slug, "language": language, "translation_of": None, "title": title, "summary": summary,
        "description": _md(description), "category": category, "tags": tags, "hours_credited": hours,
        "passing_score": 70, "validity_months": None, "due_days": None, "modules": modules,
    }


_BARBECUE = _short_course(
    slug="science-of-barbecue",
    language="en",
    title="The Science of Barbecue: Heat, Smoke and Flavor",
    summary="Why low-and-slow works, what the smoke is really doing, and how to stop fearing the stall.",
    description="""
        Good barbecue is applied physics and chemistry. This short course explains heat zones,
        clean smoke, browning reactions and the famous stall, so you can cook by understanding
        instead of by luck.
    """,
    category="food",
    tags=["barbecue", "cooking", "food-science"],
    hours=1,
    modules=[{"title": "Heat, smoke and time", "activities": [
        _article("Two-zone fires and why they work", """
            Most barbecue problems come from too much heat in the wrong place. A **two-zone fire**
            fixes that: pile the coals (or turn on the burners) on one side only. The hot side
            gives you **direct heat** for searing, where radiant energy browns the surface fast.
            The cool side gives you **indirect heat**, where food cooks mostly by hot air moving
            around it, like in an oven.

            Thick, tough cuts such as brisket, pork shoulder and ribs belong on the indirect side.
            They are full of collagen, the connective tissue that makes meat chewy. Collagen turns
            into gelatin only when it spends hours somewhere between about 70 and 90 degrees
            Celsius inside the meat. Rush it with direct heat and the outside dries out long
            before that happens.

            Steaks, burgers and sausages are the opposite: tender already, they need a quick sear
            and little time. With two zones you can sear on the hot side and then slide food to
            the cool side to finish without burning.

            **Safety first:** use a probe thermometer. Poultry is safe at 74 °C in the thickest
            part; whole cuts of pork and beef are commonly taken to 63 °C and rested, and ground
            meat to 71 °C.
        """),
        _article("Clean smoke and the browning reactions", """
            Smoke flavors food through tiny droplets and gases that settle on a cool, moist
            surface. The smoke you want is thin and pale blue, almost invisible. Thick white
            smoke comes from wood that is smouldering without enough air, and it leaves a bitter,
            sooty taste. Open the vents, use seasoned wood and let the fire breathe.

            Hardwoods like oak and hickory give a strong classic flavor; fruit woods such as apple
            and cherry are milder. A few chunks are enough: meat takes on most of its smoke in the
            first hours, while the surface is still cool and damp.

            The brown crust, the bark, comes from two reactions. The **Maillard reaction** joins
            sugars and proteins into hundreds of savory compounds and speeds up above roughly
            140 °C at the surface. **Caramelisation** of sugars in a rub adds sweetness and color.
            The pink band under the surface, the smoke ring, is a reaction between gases in the
            smoke and the meat's myoglobin; it looks great but says little about flavor.
        """),
        _video("Beating the stall", "https://vimeo.com/900000001", 240, """
            **[Scene: a kettle grill with a probe thermometer cable running out of the lid.]**

            Here is a brisket at 68 °C inside, and it has sat there for two hours. This is the
            stall. The meat is not broken; it is sweating. Moisture evaporating from the surface
            cools it at about the same rate the smoker heats it, just like sweat cools you.

            You have two choices. Wait: the stall ends when the surface dries out, and you get the
            deepest bark. Or wrap the meat tightly in butcher paper or foil, which traps the
            moisture and pushes through faster, with a softer crust.

            Either way, cook to tenderness, not to the clock. When the probe slides in like it is
            going into soft butter, usually somewhere around 93 to 96 °C, it is ready to rest.
        """),
    ]}],
)

_OHMS_LAW = _short_course(
    slug="ohms-law-foundations",
    language="en",
    title="Ohm's Law: Voltage, Current and Resistance",
    summary="The one equation behind almost every circuit calculation, with worked examples and power.",
    description="""
        Voltage, current and resistance are tied together by a single simple rule. Learn it,
        practise it on real components, and use it to size resistors and check power ratings.
    """,
    category="electronics",
    tags=["electronics", "electricity", "circuits"],
    hours=1,
    modules=[
        {"title": "The relationship", "activities": [
            _article("Voltage, current and resistance", """
                Think of a circuit as water in pipes. **Voltage** (V, in volts) is the pressure
                that pushes. **Current** (I, in amperes) is how much flows per second.
                **Resistance** (R, in ohms, Ω) is how narrow the pipe is.

                Ohm's law ties them together:

                **V = I \u00d7 R**, which rearranges to **I = V / R** and **R = V / I**.

                Example: a 12 V battery across a 6 Ω resistor drives I = 12 / 6 = **2 A**.
                Double the resistance to 12 Ω and the current halves to 1 A. Double the voltage
                instead and the current doubles.

                | Known | Find | Formula |
                |:--|:--|:--|
                | I and R | V | V = I \u00d7 R |
                | V and R | I | I = V / R |
                | V and I | R | R = V / I |

                Resistors in **series** add up: 100 Ω + 220 Ω = 320 Ω. In **parallel**, the total
                is lower than the smallest one: two 100 Ω resistors in parallel make 50 Ω.

                The law holds for resistors and wires at steady temperature. Components such as
                diodes and LEDs do not follow it, which is exactly why an LED needs a resistor in
                series to limit its current.
            """),
            _video("Sizing an LED resistor", "https://vimeo.com/900000002", 300, """
                **[Scene: a breadboard, a 9 V battery, a red LED and a handful of resistors.]**

                A red LED drops about 2 V and wants around 20 milliamps. Our battery gives 9 V.
                The resistor must take the remaining 7 V while passing 0.02 A.

                R = V / I = 7 / 0.02 = 350 Ω. That is not a standard value, so we pick the next
                one up, 390 Ω, which gives about 18 mA. Slightly dimmer, and the LED lasts longer.

                Always round up, never down: a smaller resistor lets more current through.
            """),
        ]},
        {"title": "Power", "activities": [
            _article("Watts and why resistors get hot", """
                Every resistor turns electrical energy into heat. The rate is **power**, in watts:

                **P = V \u00d7 I**, and substituting Ohm's law, **P = I² \u00d7 R = V² / R**.

                In the LED example, the 390 Ω resistor carries 0.018 A, so it dissipates
                0.018² \u00d7 390 ≈ 0.13 W. A common 0.25 W resistor handles that comfortably.

                A good habit is to choose a part rated for at least twice the power you calculate.
                Running a component at its limit shortens its life and makes it hot enough to
                damage the board around it, or your fingers.

                ### Quick check

                - A 5 V supply feeds a 1 kΩ resistor. What current flows, and what power does it dissipate?
                - Why does halving the resistance at a fixed voltage double the power?
            """),
        ]},
    ],
)

_MULTIMETER = _short_course(
    slug="multimetro-com-seguranca",
    language="pt-BR",
    title="Como usar o multímetro com segurança",
    summary="Categorias de medição, pontas de prova, a sequência certa e os erros que causam acidentes.",
    description="""
        O multímetro é a ferramenta mais usada por quem começa em elétrica e eletrônica, e também
        uma das que mais causam acidentes quando usada no modo errado. Aprenda a escolher,
        conferir e usar o seu com confiança.
    """,
    category="electronics",
    tags=["electronics", "safety", "multimeter"],
    hours=1,
    modules=[{"title": "Medindo com segurança", "activities": [
        _article("Antes de medir: categoria, pontas e fusíveis", """
            Todo multímetro traz uma **categoria de medição** (CAT II, CAT III ou CAT IV) ao lado
            de uma tensão. Ela indica o tamanho dos picos de energia que o aparelho aguenta sem se
            tornar perigoso. Para tomadas de casa, o mínimo é CAT II; para quadros de distribuição,
            CAT III; para a entrada de energia do prédio, CAT IV. Use sempre uma categoria igual
            ou superior ao ponto onde vai medir.

            Confira as **pontas de prova** antes de cada uso: isolamento sem rachaduras, protetor
            de dedo, ponta metálica curta. Uma ponta danificada anula a categoria do aparelho.

            Bons multímetros têm **fusíveis de alta capacidade de interrupção** nas entradas de
            corrente. Se o fusível queimar, troque por um idêntico; nunca improvise com fio.
        """),
        _article("A sequência certa e os erros mais comuns", """
            1. **Escolha a função antes de encostar** as pontas no circuito.
            2. Ligue primeiro a ponta preta (COM) e depois a vermelha; ao desligar, retire a
               vermelha primeiro.
            3. **Teste antes de tocar**: confira o multímetro numa fonte conhecida, meça o
               circuito e confira de novo na fonte conhecida. Assim você sabe que um "zero" é zero
               de verdade, e não um aparelho com defeito.

            **Erros que causam acidentes:**

            - Medir tensão com a ponta vermelha no borne de corrente (A ou mA). Nesse modo o
              aparelho é quase um curto-circuito, e o resultado pode ser um arco elétrico.
            - Medir resistência ou continuidade em circuito energizado.
            - Segurar as duas pontas com as duas mãos em circuitos de alta tensão. Sempre que
              possível, use garras e mantenha uma mão longe do circuito.

            Corrente se mede **em série**, abrindo o circuito; tensão se mede **em paralelo**.
        """),
        _video("Medindo uma tomada passo a passo", "https://videos.example.com/multimetro/tomada.mp4", 270, """
            **[Cena: uma bancada com um multímetro CAT III e uma tomada de teste.]**

            Seletor em tensão alternada, escala automática. Ponta preta no COM, vermelha no V.
            Primeiro, testamos numa fonte conhecida: o aparelho funciona.

            Agora a tomada: uma ponta em cada furo, sem pressa e com os dedos atrás dos
            protetores. O visor mostra cerca de 127 volts, o valor esperado nesta rede.

            Voltamos à fonte conhecida para confirmar que o multímetro continua bom. Pronto: essa
            é a sequência completa, e ela leva menos de um minuto.
        """),
    ]}],
)

_SOURDOUGH = _short_course(
    slug="pao-de-fermentacao-natural",
    language="pt-BR",
    title="Pão de fermentação natural: do levain ao forno",
    summary="Como manter um fermento natural ativo e assar um pão com casca crocante e miolo aberto.",
    description="""
        Fermentação natural parece mistério, mas segue regras simples de tempo, temperatura e
        proporção. Cuide do seu levain e asse um pão bonito já na primeira semana.
    """,
    category="food",
    tags=["baking", "sourdough", "food-science"],
    hours=1,
    modules=[{"title": "Levain e massa", "activities": [
        _article("Mantendo o fermento natural vivo", """
            O fermento natural, ou levain, é uma comunidade de leveduras e bactérias láticas que
            vive numa mistura de farinha e água. As leveduras produzem o gás que faz o pão crescer;
            as bactérias produzem os ácidos que dão o sabor levemente azedo.

            Para alimentar, misture partes iguais em peso de fermento, farinha e água (1:1:1).
            Em temperatura de 24 a 26 °C, ele costuma dobrar de volume em 4 a 8 horas. Use-o no
            pico, quando estiver cheio de bolhas e com cheiro agradável de iogurte.

            Na geladeira, o fermento desacelera e pode ser alimentado uma vez por semana. Um
            líquido escuro na superfície indica fome, não morte: descarte o líquido e alimente.
        """),
        _article("Da mistura ao forno", """
            **Hidratação** é o peso da água dividido pelo da farinha. Com 1 kg de farinha e
            700 g de água, a massa tem 70% de hidratação: úmida, mas fácil de manusear.

            1. Misture farinha e água e deixe descansar 30 a 60 minutos (autólise).
            2. Acrescente o levain (cerca de 20% do peso da farinha) e o sal (2%).
            3. **Fermentação principal**: 4 a 6 horas a 24 °C, com séries de dobras nas
               primeiras duas horas. A massa está pronta quando cresceu cerca de 50% e mostra
               bolhas nas laterais.
            4. Modele, coloque num cesto enfarinhado e leve à geladeira por 8 a 16 horas.
            5. Asse numa panela de ferro tampada a 250 °C por 20 minutos e destampada a 230 °C
               por mais 20 a 25 minutos.

            Espere o pão esfriar por pelo menos uma hora antes de cortar: o miolo ainda está
            terminando de se formar.
        """),
    ]}],
)

_CALM_REPLIES = _short_course(
    slug="calm-replies-email-chat",
    language="en",
    title="Calm Replies: Handling Complaints by Email and Chat",
    summary="Write replies that acknowledge, own and act, so written complaints end in one or two messages.",
    description="""
        Writing removes tone of voice, so every word carries more weight. This short course gives
        you a simple structure for complaint replies and shows the phrases that quietly make
        things worse.
    """,
    category="customer-service",
    tags=["communication", "customer-service", "writing"],
    hours=1,
    modules=[{"title": "Writing under pressure", "activities": [
        _article("Acknowledge, own, act", """
            A good written reply to a complaint has three parts, in this order.

            **Acknowledge** the situation in the customer's terms: "Your order was meant to arrive
            before your trip on Saturday and it is still in the warehouse."

            **Own** your part without hiding behind the passive voice: "We missed the dispatch
            cut-off" rather than "Mistakes were made".

            **Act** with a specific next step and a time: "I have upgraded it to next-day
            delivery; you'll get the tracking link by 6 pm today."

            Keep paragraphs short, answer every question the customer asked, and end with a way
            to reach *you*, not a generic address.
        """),
        _article("Phrases that backfire", """
            Some phrases feel professional to the writer and cold to the reader:

            | Instead of | Try |
            |:--|:--|
            | "As per my previous email" | "To bring the details together in one place" |
            | "Unfortunately, that is our policy" | "Here is what I can do within our rules" |
            | "You should have" | "Next time, this will be quicker if" |
            | "Calm down" | "I can see this has been really frustrating" |

            In chat, a quick "I'm looking into this now" stops the customer from wondering
            whether anyone is there. Silence of more than a minute or two feels like being ignored.

            ### Quick check

            - Rewrite "Unfortunately we cannot refund opened items" using acknowledge, own, act.
        """),
    ]}],
)

COURSES: list[dict] = [_EMPATHY_EN, _EMPATHY_PT, _BARBECUE, _OHMS_LAW, _MULTIMETER, _SOURDOUGH, _CALM_REPLIES]

# --- Handbook ebooks ---------------------------------------------------------------------------

EBOOKS: dict[str, dict] = {
    "empathy-handbook-en": {
        "title": "Empathy at Work",
        "subtitle": "A pocket handbook for customer service teams",
        "language": "en",
        "sections": [
            ("Notice, understand, respond", [
                "Empathy at the service desk comes down to three steps. Notice the feeling behind the request. "
                "Understand why it makes sense from the customer's side. Respond in a way that shows it and moves "
                "the problem forward.",
                "You do not need to agree with the customer or feel what they feel. You need to show that you "
                "see it and let it shape the fix.",
                "Keep one habit above all: before you give the solution, say one sentence that reflects the "
                "customer's situation back to them.",
            ]),
            ("Cues worth catching", [
                "Repeated words such as 'again', 'still' and 'third time' signal frustration that has been "
                "building. On the phone, listen for speed, sighs and clipped answers. In writing, watch for "
                "capital letters, rows of question marks and replies that suddenly get shorter.",
                "Ask what is at stake: a trip, a deadline, a first purchase. Name the feeling lightly and check "
                "it, so a wrong guess is easy to repair.",
            ]),
            ("Phrases that help", [
                "'That must have been a frustrating morning. Let's sort it out now.'",
                "'You've already explained this twice; I have your notes, so you won't need to again.'",
                "'Here is what I can do today, and here is when you will hear from me.'",
                "'Did I get that right?'",
            ]),
            ("Practising as a team", [
                "Run a twenty-minute practice every week. Work in threes: customer, agent and observer. The "
                "observer scores three things: was the feeling acknowledged, was understanding checked, was "
                "there a clear next step? Swap roles after every round.",
                "Give feedback on moments, not personalities, and let leads go first: teams treat customers "
                "the way they are treated themselves.",
            ]),
        ],
    },
    "empathy-handbook-pt-br": {
        "title": "Empatia no Trabalho",
        "subtitle": "Manual de bolso para equipes de atendimento",
        "language": "pt-BR",
        "sections": [
            ("Perceber, compreender, responder", [
                "No atendimento, a empatia se resume a três passos. Perceba o sentimento por trás do pedido. "
                "Compreenda por que ele faz sentido do ponto de vista do cliente. Responda de um jeito que "
                "mostre isso e faça o problema andar.",
                "Você não precisa concordar com o cliente nem sentir o mesmo que ele. Precisa mostrar que "
                "enxergou o que ele sente e usar isso para chegar à solução.",
                "Guarde um hábito acima de todos: antes de dar a solução, diga uma frase que devolva ao "
                "cliente a situação dele.",
            ]),
            ("Sinais que valem ouro", [
                "Palavras repetidas como 'de novo', 'ainda' e 'pela terceira vez' indicam uma frustração "
                "acumulada. Ao telefone, repare na velocidade, nos suspiros e nas respostas secas. Na escrita, "
                "observe letras maiúsculas, sequências de pontos de interrogação e respostas que de repente "
                "ficam curtas.",
                "Pergunte o que está em jogo: uma viagem, um prazo, a primeira compra. Nomeie o sentimento com "
                "leveza e confirme, para que um palpite errado seja fácil de corrigir.",
            ]),
            ("Frases que ajudam", [
                "'Que manhã difícil. Vamos resolver isso agora.'",
                "'Você já explicou isso duas vezes; estou com suas anotações, não vai precisar repetir.'",
                "'Isto é o que consigo fazer hoje, e é neste horário que você terá notícias minhas.'",
                "'Entendi direito?'",
            ]),
            ("Praticando em equipe", [
                "Faça um treino de vinte minutos toda semana. Trabalhem em trios: cliente, atendente e "
                "observador. O observador avalia três pontos: o sentimento foi reconhecido, o entendimento foi "
                "confirmado, houve um próximo passo claro? Troquem de papel a cada rodada.",
                "Dê retorno sobre momentos, não sobre personalidades, e deixe a liderança começar: a equipe "
                "trata os clientes do jeito que é tratada.",
            ]),
        ],
    },
}


def ebook_pdf(key: str) -> bytes:
    """The handbook for ``key`` as a small A5 PDF: a title page and one page per section.

    ``invariant=1`` pins the creation date and document id, so the same key always gives the same bytes.
    """
    book = EBOOKS[key]
    styles = getSampleStyleSheet()
    title = ParagraphStyle("HandbookTitle", parent=styles["Title"], fontSize=24, leading=30, spaceBefore=40 * mm)
    subtitle = ParagraphStyle("HandbookSubtitle", parent=styles["Italic"], fontSize=12, alignment=1)
    heading = styles["Heading2"]
    body = ParagraphStyle("HandbookBody", parent=styles["BodyText"], fontSize=10.5, leading=15, spaceAfter=8)

    story: list = [Paragraph(book["title"], title), Spacer(1, 6 * mm), Paragraph(book["subtitle"], subtitle)]
    for section_title, paragraphs in book["sections"]:
        story += [PageBreak(), Paragraph(section_title, heading)]
        story += [Paragraph(text, body) for text in paragraphs]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A5, invariant=1, title=book["title"], subject=book["subtitle"],
        author="Empathy LMS demo", lang=book["language"],
        leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
